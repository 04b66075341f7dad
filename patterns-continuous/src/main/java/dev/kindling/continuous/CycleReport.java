package dev.kindling.continuous;

import dev.kindling.ipp.Watermark;
import java.time.Duration;
import java.time.Instant;

/**
 * What one cycle did; shown in {@code GET /status} and returned by {@code POST /cycles?wait=...}.
 *
 * <pre>{@code
 * CycleReport r = runner.runCycle().get();
 * assert r.outcome() == CycleOutcome.PUBLISHED && r.rowsWritten() == 1000;
 * }</pre>
 *
 * @param sequence    the cycle's number in this runner, from 1
 * @param batchId     the batch id published (or attempted); null for an idle cycle
 * @param outcome     how it ended
 * @param startedAt   when it started
 * @param durationMs  how long it took, in milliseconds
 * @param from        the watermark read after (exclusive); null from the beginning or in the available-now mode
 * @param upTo        the watermark read up to (inclusive), fixed when the cycle started; null when idle or available-now
 * @param rowsRead    rows read from the source; -1 when the source could not tell
 * @param rowsWritten rows the sink reported committed; -1 when the sink could not tell
 * @param deadLetters records the pipeline's decoder rejected (0 without a decoder); -1 when unknown
 * @param error       a one-line summary of the failure, or null
 */
public record CycleReport(long sequence, Long batchId, CycleOutcome outcome, Instant startedAt, long durationMs,
                          Watermark from, Watermark upTo, long rowsRead, long rowsWritten, long deadLetters, String error) {

    /** The cycle's duration. */
    public Duration duration() {
        return Duration.ofMillis(durationMs);
    }
}
