package dev.kindling.continuous;

import java.util.Optional;

/**
 * Where a continuous-batch runner keeps its {@link CommittedBatch}. The runner loads it at the start of
 * every cycle and commits the new progress only after the sink reported success.
 *
 * <pre>{@code
 * WatermarkStore store = new FileWatermarkStore(Path.of("/var/lib/etl/ratings.watermark"));
 * Optional<CommittedBatch> last = store.load();      // empty before the first commit
 * store.commit(new CommittedBatch(0, Watermark.ofLong(99), Instant.now()));
 * }</pre>
 *
 * <p>Implementations are atomic (a reader sees the old or the new progress, never a mix) and
 * fenced: {@link #commit} refuses a batch id that is not greater than the stored one, so two
 * runners that share a store by mistake fail loudly instead of skipping or repeating output.
 * They are thread-safe; one runner calls them from its cycle thread.
 */
public interface WatermarkStore {
    /** A short description for status and messages, e.g. {@code file:/var/lib/etl/wm.properties}. Never holds a secret. */
    String name();

    /** The last committed progress, or empty before the first commit. */
    Optional<CommittedBatch> load();

    /**
     * Saves {@code progress} atomically.
     *
     * @throws dev.kindling.ipp.KindlingException when it cannot be saved, or when a batch id greater
     *         than or equal to {@code progress.batchId()} is already stored (another runner)
     */
    void commit(CommittedBatch progress);
}
