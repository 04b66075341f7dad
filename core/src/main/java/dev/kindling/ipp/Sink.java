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

    /**
     * Whether writing a row again that this sink has written before, in any batch, leaves one row for its key (an
     * upsert by key). Such a sink absorbs rows that a source reads twice (an incremental source with a
     * {@linkplain IncrementalReadable#lookback() lookback}). False by default.
     */
    default boolean upsertsByKey() {
        return false;
    }

    /**
     * Lays out dead letters for this sink when it is a pipeline's dead-letter sink. They arrive as
     * {@link RecordDecoder#rejected} gives them ({@code topic, partition, offset, timestamp, key, value,
     * error}); the default writes them as they are. A message bus keeps the original key and value and
     * carries the rest in headers.
     */
    default org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> shapeDeadLetters(
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rejected) {
        return rejected;
    }
}
