package ${package};

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.Processor;
import dev.kindling.ondemand.JobDefinition;
import java.util.Map;

/**
 * The job of this service: counts the words of a text a user has just sent, on a warm SparkSession.
 *
 * <pre>{@code
 * JobService jobs = JobService.builder("words").job(WordCount.job()).build();
 * // POST /jobs/words?wait=30s {"text": "To be, or not to be"}
 * //   -> {"result": {"rows": [{"word": "be", "count": 2}, {"word": "to", "count": 2}, ...], "truncated": false}, ...}
 * }</pre>
 *
 * <p>The request body (a JSON object, or an array of them) is the job's input, the view {@code input}
 * with a {@code text} column; the processor's rows are its answer.
 */
public final class WordCount {
    /** The job's name: {@code POST /jobs/words}. */
    public static final String JOB = "words";
    /** The most rows an answer holds. */
    public static final int MAX_ROWS = 100;

    private WordCount() {
    }

    // tag::job[]
    /** The processing: one row per word of {@code text} (lower case), most frequent first, ties by word. */
    public static Processor processor() {
        return Processor.sql("SELECT word, count(*) AS count FROM "
                + "(SELECT explode(split(lower(text), '[^a-z0-9]+')) AS word FROM input) "
                + "WHERE word <> '' GROUP BY word ORDER BY count DESC, word");
    }

    /** The job: the request's rows in, the processor's rows out (at most {@link #MAX_ROWS}). */
    public static JobDefinition<JsonNode, Map<String, Object>> job() {
        return JobDefinition.rows(JOB, processor(), MAX_ROWS);
    }
    // end::job[]
}
