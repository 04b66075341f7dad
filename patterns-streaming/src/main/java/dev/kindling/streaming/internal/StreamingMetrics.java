package dev.kindling.streaming.internal;

import dev.kindling.service.ComponentMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The runner's numbers, from the main query's progress, and its meters (through the component's
 * {@link ComponentMeters}, so named {@code kindling_streaming_<what>} and tagged {@code service} and
 * {@code pipeline}):
 * {@code input_rows_per_second}, {@code processed_rows_per_second}, {@code state_rows}, {@code up}
 * (gauges), {@code batch_duration_seconds} (a timer), {@code input_rows_total},
 * {@code dead_letters_total} and {@code restarts_total} (counters). The Kafka lag gauges are
 * {@link LagMonitor}'s. {@link #record} is called on Spark's listener thread; the rest from any thread.
 */
public final class StreamingMetrics {
    private volatile StreamingQueryProgress last;
    private volatile Instant lastProgressAt;
    private final AtomicLong progressEvents = new AtomicLong();
    private final AtomicLong inputRows = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final Timer batchTimer;
    private final Counter inputRowCounter;
    private final Counter deadLetterCounter;
    private final Counter restartCounter;
    private final BooleanSupplier up;
    private final LongSupplier rejected;

    /**
     * Registers the meters; {@code up} says whether the runner is ready, {@code rejected} how many records the
     * decoder has rejected since the runner started (read at each progress).
     */
    public StreamingMetrics(ComponentMeters meters, BooleanSupplier up, LongSupplier rejected) {
        this.rejected = rejected;
        meters.gauge("input.rows.per.second", "input rows per second in the last micro-batch", this, StreamingMetrics::inputRowsPerSecond);
        meters.gauge("processed.rows.per.second", "rows processed per second in the last micro-batch", this,
                StreamingMetrics::processedRowsPerSecond);
        meters.gauge("state.rows", "rows in the query's state stores", this, StreamingMetrics::stateRows);
        this.up = up; // held here: a gauge keeps only a weak reference to the object it reads
        meters.gauge("up", "1 while the queries run and the runner is ready", this, m -> m.up.getAsBoolean() ? 1 : 0);
        batchTimer = meters.timer("batch.duration", "micro-batch duration");
        inputRowCounter = meters.counter("input.rows", "rows read");
        deadLetterCounter = meters.counter("dead.letters", "records the decoder rejected");
        restartCounter = meters.counter("restarts", "restarts of the queries after a failure");
    }

    /** Takes in one progress of the main query. */
    public void record(StreamingQueryProgress p) {
        last = p;
        lastProgressAt = Instant.now();
        progressEvents.incrementAndGet();
        inputRows.addAndGet(p.numInputRows());
        inputRowCounter.increment(p.numInputRows());
        if (p.batchDuration() > 0) {
            batchTimer.record(p.batchDuration(), TimeUnit.MILLISECONDS);
        }
        long total = rejected.getAsLong();
        long n = total - deadLetters.getAndSet(total);
        if (n > 0) {
            deadLetterCounter.increment(n);
        }
    }

    /** Counts a restart. */
    public void restarted() {
        restarts.incrementAndGet();
        restartCounter.increment();
    }

    /** How many progress events the main query has reported since the runner started (to tell whether a run made progress). */
    public long progressEvents() {
        return progressEvents.get();
    }

    public long restarts() {
        return restarts.get();
    }

    public long inputRows() {
        return inputRows.get();
    }

    public long deadLetters() {
        return deadLetters.get();
    }

    public Instant lastProgressAt() {
        return lastProgressAt;
    }

    /** The last micro-batch reported, or -1. */
    public long lastBatchId() {
        StreamingQueryProgress p = last;
        return p == null ? -1 : p.batchId();
    }

    public double inputRowsPerSecond() {
        StreamingQueryProgress p = last;
        return p == null ? 0 : finite(p.inputRowsPerSecond());
    }

    public double processedRowsPerSecond() {
        StreamingQueryProgress p = last;
        return p == null ? 0 : finite(p.processedRowsPerSecond());
    }

    public long batchDurationMs() {
        StreamingQueryProgress p = last;
        return p == null ? 0 : p.batchDuration();
    }

    public long stateRows() {
        StreamingQueryProgress p = last;
        long n = 0;
        if (p != null) {
            for (StateOperatorProgress s : p.stateOperators()) {
                n += s.numRowsTotal();
            }
        }
        return n;
    }

    private static double finite(double d) {
        return Double.isFinite(d) ? d : 0;
    }
}
