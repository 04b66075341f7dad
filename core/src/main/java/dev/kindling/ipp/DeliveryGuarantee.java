package dev.kindling.ipp;

/**
 * What a sink promises about a batch that is written again after a failure (same batch id).
 *
 * <pre>{@code
 * if (sink.guarantee() == DeliveryGuarantee.AT_LEAST_ONCE) log.warn("a re-run batch may be published twice");
 * }</pre>
 */
public enum DeliveryGuarantee {
    /** Nothing is promised; for demo sinks such as the console. */
    BEST_EFFORT,
    /** Every row arrives; a re-run batch may arrive twice. */
    AT_LEAST_ONCE,
    /** A re-run batch overwrites its earlier attempt (upsert by key, replace by batch id): exactly-once in effect. */
    IDEMPOTENT,
    /** Each row is published once, through a transactional or checkpointed commit protocol. */
    EXACTLY_ONCE
}
