package dev.kindling.ipp;

import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The "process" step: a function from a dataset to a dataset. Processors compose with
 * {@link #andThen}. Written against the Dataset API (or as SQL), the same processor runs
 * unchanged on batch and on streaming input, and so in all three patterns.
 *
 * <pre>{@code
 * Processor evens = Processor.filter("id % 2 = 0");
 * Processor count = Processor.sql("SELECT count(*) AS evens FROM input");
 * Dataset<Row> out = evens.andThen(count).process(spark.range(1000).toDF());
 * }</pre>
 *
 * <p>A processor must be free of side effects: runners may call it again for a retried batch.
 */
@FunctionalInterface
public interface Processor {

    /** Transforms {@code input}; lazy, no Spark job should run here. */
    Dataset<Row> process(Dataset<Row> input);

    /** This processor, then {@code next}. */
    default Processor andThen(Processor next) {
        Objects.requireNonNull(next, "next");
        Processor first = this;
        return input -> next.process(first.process(input));
    }

    /** Passes the input through unchanged. */
    static Processor identity() {
        return input -> input;
    }

    /**
     * A SQL processor, the zero-code default: {@code query} reads the input as the table {@code input}.
     *
     * @see SqlProcessor
     */
    static Processor sql(String query) {
        return new SqlProcessor(query);
    }

    /** Keeps the rows for which the SQL boolean expression {@code condition} holds, e.g. {@code "id % 2 = 0"}. */
    static Processor filter(String condition) {
        Objects.requireNonNull(condition, "condition");
        if (condition.isBlank()) {
            throw new ConfigurationException("a filter condition must not be blank");
        }
        return input -> input.filter(condition);
    }

    /** All of {@code processors} in order; the identity when the list is empty. */
    static Processor chain(List<Processor> processors) {
        Processor result = identity();
        for (Processor p : processors) {
            result = result.andThen(p);
        }
        return result;
    }
}
