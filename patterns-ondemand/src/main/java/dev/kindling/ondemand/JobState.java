package dev.kindling.ondemand;

/**
 * The states of an on-demand job. A job starts {@link #QUEUED}, becomes {@link #RUNNING} when a
 * worker takes it, and ends in exactly one of the three final states. A running job that is cancelled,
 * times out or is stopped by a shutdown is {@link #CANCELLING} until its own code returns: its Spark
 * work is cancelled and its thread interrupted at once, but it keeps its worker slot until then.
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
    /**
     * Cancelled, timed out or stopped by a shutdown while running: its Spark job group is cancelled and
     * its thread interrupted, and it still holds its worker slot until its code returns. It then ends
     * {@link #CANCELLED} (a caller cancelled it) or {@link #FAILED} (a timeout or a shutdown).
     */
    CANCELLING,
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
