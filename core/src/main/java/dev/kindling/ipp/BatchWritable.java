package dev.kindling.ipp;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The batch-write capability. The runner passes a batch id that grows by one per batch and is the
 * same when a batch is written again after a crash, so an idempotent sink can replace its earlier attempt.
 *
 * <pre>{@code
 * WriteResult result = sink.write(counts, 7);
 * watermarkStore.commit(newWatermark);   // only after the sink reported success
 * }</pre>
 *
 * <p>{@link #write} runs Spark jobs on the calling thread and returns only when the data is
 * committed; it reports what it committed in the {@link WriteResult}.
 */
public interface BatchWritable extends Sink {
    /**
     * Publishes {@code data} as batch {@code batchId}.
     *
     * @return the batch id and the number of rows the sink committed
     * @throws KindlingException when nothing or only part was committed; {@link KindlingException#retryable()} says whether to retry
     */
    WriteResult write(Dataset<Row> data, long batchId);
}
