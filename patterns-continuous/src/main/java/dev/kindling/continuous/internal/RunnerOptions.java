package dev.kindling.continuous.internal;

import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.WatermarkStore;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.service.Backoff;
import java.time.Duration;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;

/**
 * What a {@code ContinuousRunner.Builder} was given. A null operational option (interval, backoff,
 * thresholds, start paused) is taken from the settings when the runner starts.
 */
public record RunnerOptions(Pipeline pipeline, WatermarkStore store, String checkpoint, String outputMode, Duration interval,
                            Duration initialBackoff, Duration maxBackoff, Integer unreadyAfterFailures, Integer stopAfterFailures,
                            Boolean startPaused, boolean allowNonIdempotentSink, CycleListener listener, String routePrefix) {

    public RunnerOptions {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(outputMode, "outputMode");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(routePrefix, "routePrefix");
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
        return this;
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
