package ${package};

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.streaming.QueryableTable;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;

/**
 * The pipeline of this service: lines of text from a stream, counted per word into a queryable table.
 *
 * <pre>{@code
 * StreamingRunner runner = WordCounts.runner("kafka://127.0.0.1:9092/words", "/var/lib/words/checkpoint", StreamTrigger.parse("2s"));
 * KindlingService.builder("words").component(runner).run();
 * // GET /tables/word_counts?orderBy=count&desc=true&limit=10 -> [{"word": "the", "count": 42}, ...]
 * }</pre>
 *
 * <p>The source is any streaming source URI: a folder of text files ({@code file:/data/in?format=text})
 * or a Kafka topic ({@code kafka://host:9092/words}). Lines that are not valid UTF-8 are dropped and
 * counted ({@code kindling_streaming_dead_letters_total}); the table is exactly-once with the checkpoint.
 */
public final class WordCounts {
    /** The queryable table's name: {@code GET /tables/word_counts}. */
    public static final String TABLE = "word_counts";

    private WordCounts() {
    }

    /** Lines from {@code source} → words → counts per word in {@code table}. */
    public static Pipeline pipeline(String source, QueryableTable table) {
        return Pipeline.builder(PipelineKind.STREAMING)
                .name("words")
                .source(Connectors.builtIn().source(source))
                .decoder(RecordDecoder.text())
                .process(Processor.sql("SELECT word, count(*) AS count FROM "
                        + "(SELECT explode(split(lower(value), '[^a-z0-9]+')) AS word FROM input) "
                        + "WHERE word <> '' GROUP BY word"))
                .sink(table)
                .build();
    }

    /** A runner of the pipeline into the table {@link #TABLE}, checkpointed in {@code checkpoint}. */
    public static StreamingRunner runner(String source, String checkpoint, StreamTrigger trigger) {
        return StreamingRunner.builder(pipeline(source, QueryableTable.keyedBy(TABLE, "word")))
                .checkpoint(checkpoint)
                .trigger(trigger)
                .build();
    }
}
