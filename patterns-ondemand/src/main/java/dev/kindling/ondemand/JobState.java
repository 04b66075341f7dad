package dev.kindling.ondemand;

/**
 * The states of an on-demand job. A job starts {@link #QUEUED}, becomes {@link #RUNNING} when a
 * worker takes it, and ends in exactly one of the three final states.
 *
 * <pre>{@code
 * if (jobs.status(id).orElseThrow().state().isFinal()) { ... }
 * }</pre>
 */
public enum JobState {
    /** Accepted and waiting for a worker. */
    QUEUED,
    /** A worker runs it now. */
    RUNNING,
    /** Ended with a result. */
    SUCCEEDED,
    /** Ended with an error (the job threw, timed out, or was interrupted by a restart or shutdown). */
    FAILED,
    /** Cancelled by a caller before it ended. */
    CANCELLED;

    /** Whether the job has ended. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
