package dev.kindling.continuous.internal;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcLease;
import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.continuous.WatermarkStore;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.StreamingPlan;
import dev.kindling.service.Backoff;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;

/**
 * What a {@code ContinuousRunner.Builder} was given. A null operational option (interval, backoff,
 * thresholds, start paused, lease ttl, replica id) is taken from the settings when the runner starts.
 */
public record RunnerOptions(Pipeline pipeline, WatermarkStore store, String checkpoint, String outputMode, Duration interval,
                            Duration initialBackoff, Duration maxBackoff, Integer unreadyAfterFailures, Integer stopAfterFailures,
                            Boolean startPaused, boolean allowNonIdempotentSink, CycleListener listener, String routePrefix,
                            JdbcLease lease, Duration leaseTtl, String replicaId) {
    /** The lease of a pipeline's replicas is named this followed by the pipeline's name. */
    public static final String LEASE_PREFIX = "continuous/";

    public RunnerOptions {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(outputMode, "outputMode");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(routePrefix, "routePrefix");
    }

    /** {@code d}, checked to be at least 1 ms. */
    public static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.toMillis() < 1) {
            throw new ConfigurationException(what + " must be at least 1 ms, got " + d);
        }
        return d;
    }

    /** {@code outputMode} in lower case, checked to be auto or one of Spark's output modes. */
    public static String checkedOutputMode(String outputMode) {
        String m = Objects.requireNonNull(outputMode, "outputMode").trim().toLowerCase(Locale.ROOT);
        if (!m.equals("auto") && !StreamingPlan.OUTPUT_MODES.contains(m)) {
            throw new ConfigurationException("outputMode must be one of auto, " + String.join(", ", StreamingPlan.OUTPUT_MODES)
                    + "; got '" + outputMode + "'");
        }
        return m;
    }

    /** {@code prefix}, checked to be empty or like {@code /modeler}. */
    public static String checkedRoutePrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && !prefix.matches("(/[A-Za-z0-9._~-]+)+")) {
            throw new ConfigurationException("a route prefix is empty or like /modeler (segments of letters, digits, '.', '_', '~' "
                    + "and '-', no trailing '/'); got '" + prefix + "'");
        }
        return prefix;
    }

    /** {@code ttl}, checked to be at least 1 s. */
    public static Duration checkedLeaseTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("the lease ttl must be at least 1 s, got " + ttl);
        }
        return ttl;
    }

    /** {@code id}, checked to be 1 to 300 characters. */
    public static String checkedReplicaId(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isBlank() || id.length() > 300) {
            throw new ConfigurationException("a replica id must be 1 to 300 characters; got '" + id + "'");
        }
        return id;
    }

    /** {@code incremental} or {@code available-now}. */
    public String mode() {
        return pipeline.kind() == PipelineKind.INCREMENTAL ? "incremental" : "available-now";
    }

    /**
     * Checks the pipeline kind against the progress holder and the sinks' guarantees.
     *
     * @throws ConfigurationException naming what is wrong and how to fix it
     */
    public RunnerOptions validate() {
        String name = pipeline.name();
        if (store != null && checkpoint != null) {
            throw new ConfigurationException("runner of '" + name + "': watermarkStore(...) and checkpoint(...) exclude each other: "
                    + "an INCREMENTAL pipeline keeps its progress in a watermark store, a STREAMING one in a checkpoint");
        }
        switch (pipeline.kind()) {
            case INCREMENTAL -> {
                if (store == null) {
                    throw new ConfigurationException("runner of INCREMENTAL pipeline '" + name + "' needs watermarkStore(...)"
                            + " (FileWatermarkStore or JdbcWatermarkStore)");
                }
            }
            case STREAMING -> {
                if (checkpoint == null) {
                    throw new ConfigurationException("runner of STREAMING pipeline '" + name + "' runs in the available-now mode and needs "
                            + "checkpoint(...), the folder where Spark keeps what was read");
                }
            }
            default -> throw new ConfigurationException("pipeline '" + name + "' is a " + pipeline.kind() + " pipeline; a continuous "
                    + "runner takes an INCREMENTAL pipeline (watermark source) or a STREAMING one (available-now mode)");
        }
        if (initialBackoff != null && maxBackoff != null) {
            new Backoff(initialBackoff, maxBackoff);
        }
        requireIdempotent(pipeline.sink(), "sink");
        if (pipeline.source() instanceof dev.kindling.ipp.IncrementalReadable incremental && incremental.lookback().isPresent()
                && !pipeline.sink().upsertsByKey() && !allowNonIdempotentSink) {
            throw new ConfigurationException("source '" + pipeline.source().name() + "' of '" + pipeline.name() + "' reads again the "
                    + "rows within its lookback (" + incremental.lookback().get() + ") below the committed watermark, so sink '"
                    + pipeline.sink().name() + "' would publish them twice. Use a sink that upserts by key (JDBC mode=upsert with "
                    + "keys), or drop the lookback, or call allowNonIdempotentSink(true)");
        }
        pipeline.deadLetters().ifPresent(d -> requireIdempotent(d, "dead-letter sink"));
        validateLease();
        return this;
    }

    /** Whether the watermark store can hold a lease: a JDBC store on PostgreSQL. */
    private boolean leaseCapable() {
        return store instanceof JdbcWatermarkStore jdbc && jdbc.endpoint().isPostgres();
    }

    private void validateLease() {
        String name = pipeline.name();
        if (lease != null && (leaseTtl != null || replicaId != null)) {
            throw new ConfigurationException("runner of '" + name + "': lease(...) excludes leaseTtl(...) and replicaId(...): "
                    + "the lease carries its own ttl and holder id");
        }
        if ((lease != null || leaseTtl != null || replicaId != null) && !leaseCapable()) {
            throw new ConfigurationException("runner of '" + name + "': replicas (lease(...), leaseTtl(...), replicaId(...)) need a "
                    + "JdbcWatermarkStore on PostgreSQL, which holds the lease and fences the watermark commit; the watermark store is "
                    + (store == null ? "none (available-now mode)" : store.name()));
        }
        if (lease != null && !lease.dependency().name().equals(((JdbcWatermarkStore) store).dependency().name())) {
            throw new ConfigurationException("runner of '" + name + "': the lease must be kept in the watermark store's database ("
                    + ((JdbcWatermarkStore) store).dependency().name() + "), where the commit checks it; it is in "
                    + lease.dependency().name());
        }
    }

    /**
     * Who runs the cycles: the given lease; else, with a JDBC watermark store on PostgreSQL, the lease
     * {@value #LEASE_PREFIX}NAME in the store's database with the ttl and replica id given or set; else one replica.
     *
     * @throws ConfigurationException when the ttl is under 1 s, the replica id is not 1 to 300 characters, or a
     *         replica id is set for a runner that cannot have replicas
     */
    public Leadership leadership(Settings settings) {
        if (lease != null) {
            return Leadership.of(lease);
        }
        String id = replicaId != null ? replicaId : settings.get(ContinuousSettings.REPLICA_ID);
        if (!leaseCapable()) {
            if (id != null) {
                throw new ConfigurationException("setting " + ContinuousSettings.REPLICA_ID.name() + " is set, but runner of '"
                        + pipeline.name() + "' cannot have replicas: that needs the PostgreSQL watermark store ("
                        + ContinuousSettings.WATERMARK_STORE.name() + "=jdbc:postgresql://...); with "
                        + (store == null ? "the available-now mode" : store.name()) + " every replica would run the cycles");
            }
            return Leadership.single();
        }
        Duration ttl = leaseTtl != null ? leaseTtl : settings.get(ContinuousSettings.LEASE_TTL);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("setting " + ContinuousSettings.LEASE_TTL.name() + " must be at least 1s; got "
                    + Setting.formatDuration(ttl));
        }
        JdbcLease.Builder b = JdbcLease.builder(((JdbcWatermarkStore) store).endpoint(), LEASE_PREFIX + pipeline.name()).ttl(ttl);
        if (id != null) {
            b.holder(id);
        }
        return Leadership.of(b.build());
    }

    private void requireIdempotent(Sink sink, String role) {
        DeliveryGuarantee g = pipeline.kind() == PipelineKind.STREAMING ? ((StreamWritable) sink).streamGuarantee() : sink.guarantee();
        if (!allowNonIdempotentSink && (g == DeliveryGuarantee.AT_LEAST_ONCE || g == DeliveryGuarantee.BEST_EFFORT)) {
            throw new ConfigurationException(role + " '" + sink.name() + "' of '" + pipeline.name() + "' is " + g
                    + ": a re-run batch could be published twice. Use an idempotent sink (JDBC mode=upsert, file perBatch=true "
                    + "or mode=overwrite) or call allowNonIdempotentSink(true)");
        }
    }

    /**
     * The policy: each option given to the builder, else its setting ({@link ContinuousSettings}).
     *
     * @throws ConfigurationException when the largest backoff is smaller than the initial one
     */
    public CyclePolicy policy(Settings settings) {
        Duration initial = initialBackoff != null ? initialBackoff : settings.get(ContinuousSettings.BACKOFF_INITIAL);
        Duration max = maxBackoff != null ? maxBackoff : settings.get(ContinuousSettings.BACKOFF_MAX);
        Duration every = interval != null ? interval : settings.get(ContinuousSettings.INTERVAL);
        if (every.toMillis() < 1) {
            throw new ConfigurationException("setting " + ContinuousSettings.INTERVAL.name() + " must be at least 1ms; got " + every);
        }
        return new CyclePolicy(every, new Backoff(initial, max),
                unreadyAfterFailures != null ? unreadyAfterFailures : settings.get(ContinuousSettings.UNREADY_AFTER_FAILURES),
                stopAfterFailures != null ? stopAfterFailures : settings.get(ContinuousSettings.STOP_AFTER_FAILURES),
                startPaused != null ? startPaused : settings.get(ContinuousSettings.START_PAUSED));
    }

    /** The cycle body of the pipeline's mode, on {@code spark}. */
    public CycleBody body(SparkSession spark) {
        return pipeline.kind() == PipelineKind.INCREMENTAL
                ? new IncrementalCycle(spark, pipeline, store)
                : new AvailableNowCycle(spark, pipeline, checkpoint, outputMode);
    }
}
