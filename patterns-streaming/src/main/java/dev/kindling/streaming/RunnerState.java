package dev.kindling.streaming;

/**
 * Where a {@link StreamingRunner} is in its life.
 *
 * <pre>{@code
 * if (runner.state() == RunnerState.FAILED) log.error("gave up: {}", runner.status().lastError());
 * }</pre>
 */
public enum RunnerState {
    /** Built, not started. */
    NEW,
    /** Starting (or restarting) its queries. */
    STARTING,
    /** Its queries are running. */
    RUNNING,
    /** A query failed; waiting for the backoff to pass before restarting from the checkpoint. */
    RESTARTING,
    /** An available-now run processed everything and stopped. */
    COMPLETED,
    /** Stopped by {@link StreamingRunner#stop()}. */
    STOPPED,
    /** Gave up: a configuration error, or more failures in a row than allowed. */
    FAILED
}
