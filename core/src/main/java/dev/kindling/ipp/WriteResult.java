package dev.kindling.ipp;

/**
 * What a sink committed for one batch, and how many records of the batch went to dead letters.
 *
 * <pre>{@code
 * WriteResult r = pipeline.publish(rows, 3);
 * metrics.counter("rows.written").increment(r.rowsWritten());
 * }</pre>
 *
 * @param batchId     the batch id that was written
 * @param rowsWritten the rows the sink committed (for an upsert: rows sent, each inserted or updated)
 * @param deadLetters the records the pipeline's decoder rejected in this batch (0 without a decoder)
 */
public record WriteResult(long batchId, long rowsWritten, long deadLetters) {
    public WriteResult {
        if (rowsWritten < 0) {
            throw new IllegalArgumentException("rowsWritten must be >= 0, got " + rowsWritten);
        }
        if (deadLetters < 0) {
            throw new IllegalArgumentException("deadLetters must be >= 0, got " + deadLetters);
        }
    }

    /** A result with no dead letters, as a sink reports it. */
    public WriteResult(long batchId, long rowsWritten) {
        this(batchId, rowsWritten, 0);
    }
}
