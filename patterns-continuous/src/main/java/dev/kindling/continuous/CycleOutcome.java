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
    FAILED,
    /**
     * This replica lost the pipeline's lease during the cycle (see {@code ContinuousRunner}, Replicas):
     * the cycle was given up and nothing was committed; the replica that holds the lease now reads the
     * batch again. Not a failure: it changes neither the failures in a row nor readiness.
     */
    ABANDONED
}
