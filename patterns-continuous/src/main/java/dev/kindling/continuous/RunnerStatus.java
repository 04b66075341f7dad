package dev.kindling.continuous;

import java.time.Instant;

/**
 * A snapshot of a {@link ContinuousRunner}, as {@code GET /status} shows it.
 *
 * <pre>{@code
 * RunnerStatus s = runner.status();
 * if (!s.ready()) alert(s.lastError());
 * }</pre>
 *
 * @param pipeline            the pipeline's name
 * @param mode                {@code incremental} or {@code available-now}
 * @param state               the runner's state
 * @param ready               whether the runner counts as ready (fewer consecutive failures than the threshold)
 * @param interval            the interval between cycles, ISO-8601
 * @param committed           the last committed progress (incremental mode), or null
 * @param lastCycle           the last cycle, or null before the first
 * @param nextCycleAt         when the next scheduled cycle starts; null when paused or stopped
 * @param consecutiveFailures failed cycles since the last successful one
 * @param lastError           the message of the last failure, kept until a cycle succeeds; or null
 * @param cycles              cycles run so far
 * @param rowsRead            rows read so far (cycles that could tell)
 * @param rowsWritten         rows written so far (cycles whose sink could tell)
 */
public record RunnerStatus(String pipeline, String mode, State state, boolean ready, String interval, Progress committed,
                           CycleReport lastCycle, Instant nextCycleAt, int consecutiveFailures, String lastError,
                           long cycles, long rowsRead, long rowsWritten) {

    /** The runner's lifecycle states. */
    public enum State {
        /** Built, {@code start()} not called yet. */
        NEW,
        /** Running cycles at its interval. */
        RUNNING,
        /** No scheduled cycles until {@code resume()}; {@code runCycle()} still runs one. */
        PAUSED,
        /** {@code stop()} was called; the current cycle may still finish within the grace period. */
        STOPPING,
        /** Stopped after too many consecutive failures ({@code stopAfterFailures}). */
        FAILED,
        /** Stopped by {@code stop()}. */
        STOPPED
    }
}
