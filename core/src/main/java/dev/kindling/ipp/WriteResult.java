package dev.kindling.ipp;

/**
 * What a sink committed for one batch.
 *
 * <pre>{@code
 * WriteResult r = sink.write(rows, 3);
 * metrics.counter("rows.written").increment(r.rowsWritten());
 * }</pre>
 *
 * @param batchId     the batch id that was written
 * @param rowsWritten the rows the sink committed (for an upsert: rows sent, each inserted or updated)
 */
public record WriteResult(long batchId, long rowsWritten) {
    public WriteResult {
        if (rowsWritten < 0) {
            throw new IllegalArgumentException("rowsWritten must be >= 0, got " + rowsWritten);
        }
    }
}
