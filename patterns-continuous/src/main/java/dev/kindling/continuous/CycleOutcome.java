package dev.kindling.continuous;

/**
 * How a cycle ended.
 *
 * <pre>{@code
 * if (report.outcome() == CycleOutcome.IDLE) log.debug("nothing new");
 * }</pre>
 */
public enum CycleOutcome {
    /** New data was read, published and the progress committed. */
    PUBLISHED,
    /** Nothing new: no Spark job ran (incremental mode), nothing was published. */
    IDLE,
    /** The cycle failed; nothing was committed. It is retried after a backoff unless the failure was a configuration error. */
    FAILED
}
