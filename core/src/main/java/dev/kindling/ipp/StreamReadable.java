package dev.kindling.ipp;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The streaming-read capability: the source can be read as an unbounded Structured Streaming dataset.
 *
 * <pre>{@code
 * Dataset<Row> lines = ((StreamReadable) Connectors.builtIn().source("kafka://127.0.0.1:9092/words")).readStream(spark);
 * }</pre>
 */
public interface StreamReadable extends Source {
    /** A streaming dataset ({@code isStreaming() == true}); it starts reading when a query starts. */
    Dataset<Row> readStream(SparkSession spark);

    /**
     * Whether Spark's real-time mode can read this source's stream (long-running tasks that hand on each record as it
     * arrives); false unless the source says otherwise. Kafka can.
     */
    default boolean supportsRealTime() {
        return false;
    }
}
