package dev.kindling.ipp;

/**
 * Where a pipeline publishes its results. Like {@link Source}, a sink says what it can do through
 * capability interfaces: {@link BatchWritable} and {@link StreamWritable}.
 *
 * <pre>{@code
 * Sink counts = Connectors.builtIn().sink("jdbc:postgresql://db/app", Map.of("table", "counts", "mode", "upsert", "keys", "word"));
 * assert counts.guarantee() == DeliveryGuarantee.IDEMPOTENT;
 * }</pre>
 *
 * <p>Sinks are immutable and may be used from any thread. Each documents its delivery guarantee.
 */
public interface Sink {
    /** A short name for messages and metrics. Never holds a secret. */
    String name();

    /** What a batch write promises when the same batch id is written again after a failure. */
    DeliveryGuarantee guarantee();
}
