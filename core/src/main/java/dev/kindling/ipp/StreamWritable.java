package dev.kindling.ipp;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.DataStreamWriter;

/**
 * The streaming-write capability: the sink configures a {@link DataStreamWriter} for a streaming
 * dataset (format, options, or {@code foreachBatch}); the runner then sets the checkpoint location,
 * trigger and output mode and starts the query.
 *
 * <pre>{@code
 * StreamingQuery q = sink.writeStream(counts)
 *         .option("checkpointLocation", "/var/lib/app/checkpoint")
 *         .outputMode("update")
 *         .start();
 * }</pre>
 */
public interface StreamWritable extends Sink {
    /** A writer for {@code data}, configured but not started. */
    DataStreamWriter<Row> writeStream(Dataset<Row> data);

    /** What a streaming write promises, given a checkpoint; the batch guarantee unless the sink says otherwise. */
    default DeliveryGuarantee streamGuarantee() {
        return guarantee();
    }

    /**
     * Called once before each start of a query that writes to this sink, with the schema and output
     * mode the query will write and the query's checkpoint folder (null when it has none), so that a
     * sink that keeps state of its own can load it from beside the checkpoint. Default: nothing.
     */
    default void prepare(org.apache.spark.sql.SparkSession spark, org.apache.spark.sql.types.StructType schema, String outputMode,
                         String checkpoint) {
    }

    /** Whether a checkpoint location is required for this sink to keep its guarantee (true unless the sink says otherwise). */
    default boolean needsCheckpoint() {
        return true;
    }

    /**
     * Whether Spark's real-time mode can write to this sink record by record; false unless the sink says otherwise
     * (a sink that writes with {@code foreachBatch} cannot). Kafka can.
     */
    default boolean supportsRealTime() {
        return false;
    }
}
