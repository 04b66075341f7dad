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

    /** Whether a checkpoint location is required for this sink to keep its guarantee (true unless the sink says otherwise). */
    default boolean needsCheckpoint() {
        return true;
    }
}
