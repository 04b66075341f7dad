package dev.kindling.continuous;

import dev.kindling.ipp.Watermark;
import java.time.Instant;
import java.util.Objects;

/**
 * What a continuous-batch pipeline has published: the id of the last batch whose output the sink
 * committed and the watermark that batch read up to. A {@link WatermarkStore} saves it after the
 * sink succeeded; the next cycle reads after {@code watermark} and publishes batch {@code batchId + 1}.
 *
 * <pre>{@code
 * CommittedBatch c = new CommittedBatch(7, Watermark.ofLong(41_000), Instant.now());
 * store.commit(c);
 * long next = store.load().map(CommittedBatch::nextBatchId).orElse(0L);   // 8
 * }</pre>
 *
 * @param batchId     the last committed batch id, {@code >= 0}
 * @param watermark   the greatest watermark-column value the batch included
 * @param committedAt when the commit happened
 */
public record CommittedBatch(long batchId, Watermark watermark, Instant committedAt) {
    public CommittedBatch {
        if (batchId < 0) {
            throw new IllegalArgumentException("batchId must be >= 0, got " + batchId);
        }
        Objects.requireNonNull(watermark, "watermark");
        Objects.requireNonNull(committedAt, "committedAt");
    }

    /** The batch id the next cycle publishes. */
    public long nextBatchId() {
        return batchId + 1;
    }
}
