package dev.kindling.continuous;

import dev.kindling.continuous.internal.AvailableNowCycle;
import dev.kindling.continuous.internal.Backoff;
import dev.kindling.continuous.internal.CycleAttempt;
import dev.kindling.continuous.internal.CycleBody;
import dev.kindling.continuous.internal.IncrementalCycle;
import dev.kindling.continuous.internal.RunnerMetrics;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-batch runner: always running, each cycle takes what is new since the last one,
 * processes it and publishes it.
 *
 * <pre>{@code
 * Connectors c = Connectors.builtIn();
 * Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL)
 *         .name("orders-per-day")
 *         .source(c.source("jdbc:postgresql://db:5432/shop?table=orders&watermarkColumn=id&user=app&password.env=PGPASSWORD"))
 *         .process(Processor.sql("SELECT id, customer, amount * 100 AS cents FROM input"))
 *         .sink(c.sink("file:/data/orders?format=parquet&perBatch=true"))
 *         .build();
 * ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline)
 *         .watermarkStore(new FileWatermarkStore(Path.of("/var/lib/orders/watermark.properties")))
 *         .interval(Duration.ofMinutes(1))
 *         .build();
 * runner.start();
 * }</pre>
 *
 * <p><b>Two modes.</b> An {@link PipelineKind#INCREMENTAL} pipeline (an
 * {@link dev.kindling.ipp.IncrementalReadable} source, a {@link dev.kindling.ipp.BatchWritable}
 * sink) runs in the <i>incremental</i> mode with a {@link WatermarkStore}. A cycle: load the
 * committed {@link Progress} → ask the source for its newest watermark, which fixes the cycle's
 * upper bound (rows arriving later are the next cycle's) → if nothing is new, stop: no Spark job
 * runs → read {@code (committed, newest]} → process → write as batch {@code committed.batchId + 1}
 * → commit the new progress only after the sink reported success. A {@link PipelineKind#STREAMING}
 * pipeline (files, Kafka) runs in the <i>available-now</i> mode: each cycle starts the query with
 * {@code Trigger.AvailableNow()} and the {@link Builder#checkpoint checkpoint}, which then holds the progress.
 *
 * <p><b>Delivery.</b> A crash at any instant loses nothing: before the commit, the next cycle
 * reads the same range again (plus what arrived since) and writes the same batch id, so an
 * {@link DeliveryGuarantee#IDEMPOTENT} sink replaces its earlier attempt. {@code build()} refuses an
 * at-least-once or best-effort sink unless {@link Builder#allowNonIdempotentSink(boolean)} says so.
 *
 * <p><b>Failures.</b> A failed cycle commits nothing and is retried after an exponential backoff
 * with jitter ({@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, drawn from the upper
 * half); after {@code unreadyAfterFailures} consecutive failures {@link #isReady()} turns false;
 * the runner keeps trying unless {@code stopAfterFailures} (&gt; 0) is reached, when it stops in state
 * {@link RunnerStatus.State#FAILED}.
 *
 * <p><b>Lifecycle and threads.</b> {@link #start()} starts one cycle thread; cycles never overlap
 * (also with {@link #runOnce()}, which runs a cycle on the calling thread). The first scheduled
 * cycle starts at once, the next {@code interval} after the previous one ended. {@link #runCycle()},
 * {@link #pause()}, {@link #resume()}, {@link #status()} and {@link #isReady()} may be called from
 * any thread (HTTP handlers). {@link #stop(Duration)} lets the current cycle finish within the grace
 * period, then cancels its Spark jobs (nothing is committed) and returns.
 */
public final class ContinuousRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousRunner.class);

    private final SparkSession spark;
    private final Pipeline pipeline;
    private final CycleBody body;
    private final Duration interval;
    private final Backoff backoff;
    private final int unreadyAfterFailures;
    private final int stopAfterFailures;
    private final CycleListener listener;
    private final WatermarkStore store;

    private final Object cycleMutex = new Object();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<CompletableFuture<CycleReport>> requested = new ArrayList<>();

    // guarded by lock
    private RunnerStatus.State state = RunnerStatus.State.NEW;
    private boolean stopping;
    private Instant nextCycleAt;
    private Thread thread;
    // written on the cycle thread under cycleMutex, read anywhere
    private volatile CycleReport lastCycle;
    private volatile Progress committed;
    private volatile int consecutiveFailures;
    private volatile String lastError;
    private volatile Instant lastSuccessStart;
    private volatile RunnerMetrics metrics;
    private long sequence;
    private volatile long cycles;
    private volatile long rowsRead;
    private volatile long rowsWritten;

    private ContinuousRunner(Builder b) {
        this.spark = b.spark;
        this.pipeline = b.pipeline;
        this.interval = b.interval;
        this.backoff = new Backoff(b.initialBackoff, b.maxBackoff);
        this.unreadyAfterFailures = b.unreadyAfterFailures;
        this.stopAfterFailures = b.stopAfterFailures;
        this.listener = b.listener;
        this.store = b.store;
        this.body = pipeline.kind() == PipelineKind.INCREMENTAL
                ? new IncrementalCycle(spark, pipeline, b.store)
                : new AvailableNowCycle(spark, pipeline, b.checkpoint, b.outputMode);
    }

    /** A builder for a runner of {@code pipeline} on {@code spark}. */
    public static Builder builder(SparkSession spark, Pipeline pipeline) {
        return new Builder(spark, pipeline);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** {@code incremental} or {@code available-now}. */
    public String mode() {
        return body.mode();
    }

    /** Registers the runner's meters (cycles by outcome, rows read and written, cycle duration, lag, consecutive failures). Call once. */
    public ContinuousRunner bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (metrics != null) {
            throw new IllegalStateException("the runner's meters are already bound");
        }
        metrics = new RunnerMetrics(registry, pipeline.name(), this::lagSeconds, () -> consecutiveFailures);
        return this;
    }

    /**
     * Now minus the newest committed watermark's time for a timestamp watermark; for other
     * watermarks, now minus the start of the last successful cycle (everything older was read then);
     * NaN before any.
     */
    public double lagSeconds() {
        Progress p = committed;
        Instant newest = p == null ? null : p.watermark().instant().orElse(null);
        if (newest == null) {
            newest = lastSuccessStart;
        }
        return newest == null ? Double.NaN : Duration.between(newest, Instant.now()).toMillis() / 1000.0;
    }

    /** Starts the cycle thread; the first cycle runs at once (or on {@link #resume()} when paused before). */
    public ContinuousRunner start() {
        lock.lock();
        try {
            if (state != RunnerStatus.State.NEW && state != RunnerStatus.State.PAUSED || thread != null) {
                throw new IllegalStateException("runner of '" + pipeline.name() + "' was already started (state " + state + ")");
            }
            if (state == RunnerStatus.State.NEW) {
                state = RunnerStatus.State.RUNNING;
            }
            nextCycleAt = state == RunnerStatus.State.RUNNING ? Instant.now() : null;
            thread = new Thread(this::loop, "kindling-continuous-" + pipeline.name());
            thread.setDaemon(true);
            thread.start();
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' started: {} mode, every {}, {} -> {}", pipeline.name(), mode(), interval,
                pipeline.source().name(), pipeline.sink().name());
        return this;
    }

    /**
     * Asks for a cycle now, even when paused or backing off; the returned future completes with its
     * report (also for a failed cycle) or fails when the runner stops first.
     *
     * @throws IllegalStateException when the runner is not started, stopped or failed
     */
    public CompletableFuture<CycleReport> runCycle() {
        lock.lock();
        try {
            if (thread == null || stopping || state == RunnerStatus.State.FAILED || state == RunnerStatus.State.STOPPED) {
                throw new IllegalStateException("runner of '" + pipeline.name() + "' is " + state + (stopping ? " (stopping)" : "")
                        + ": it runs cycles only while started");
            }
            CompletableFuture<CycleReport> f = new CompletableFuture<>();
            requested.add(f);
            changed.signalAll();
            return f;
        } finally {
            lock.unlock();
        }
    }

    /** Stops scheduled cycles after the current one; {@link #runCycle()} still works. Before {@link #start()}, the runner starts paused. */
    public RunnerStatus pause() {
        lock.lock();
        try {
            requireAlive();
            state = RunnerStatus.State.PAUSED;
            nextCycleAt = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' paused", pipeline.name());
        return status();
    }

    /** Resumes scheduled cycles; the next one starts at once. */
    public RunnerStatus resume() {
        lock.lock();
        try {
            requireAlive();
            if (state == RunnerStatus.State.PAUSED) {
                state = thread == null ? RunnerStatus.State.NEW : RunnerStatus.State.RUNNING;
                nextCycleAt = thread == null ? null : Instant.now();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' resumed", pipeline.name());
        return status();
    }

    private void requireAlive() {
        if (stopping || state == RunnerStatus.State.FAILED || state == RunnerStatus.State.STOPPED) {
            throw new IllegalStateException("runner of '" + pipeline.name() + "' is " + state + (stopping ? " (stopping)" : ""));
        }
    }

    /**
     * Stops: no new cycle starts, the current one may finish within {@code grace}; after that its
     * Spark jobs are cancelled (nothing is committed). Idempotent.
     *
     * @return whether the cycle thread ended within the grace period
     */
    public boolean stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        Thread t;
        lock.lock();
        try {
            stopping = true;
            t = thread;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean inTime = true;
        if (t != null) {
            try {
                t.join(Math.max(1, grace.toMillis()));
                if (t.isAlive()) {
                    inTime = false;
                    LOG.warn("continuous runner '{}': the current cycle did not finish within {}; cancelling it", pipeline.name(), grace);
                    body.cancel();
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (state != RunnerStatus.State.FAILED) {
                state = RunnerStatus.State.STOPPED;
            }
            nextCycleAt = null;
            failRequested("the runner stopped");
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' stopped", pipeline.name());
        return inTime;
    }

    private void failRequested(String why) {
        for (CompletableFuture<CycleReport> f : requested) {
            f.completeExceptionally(new IllegalStateException(why + " before the requested cycle of '" + pipeline.name() + "' ran"));
        }
        requested.clear();
    }

    /** Whether fewer than {@code unreadyAfterFailures} cycles failed in a row and the runner has not failed or stopped. */
    public boolean isReady() {
        RunnerStatus.State s = state;
        return consecutiveFailures < unreadyAfterFailures && s != RunnerStatus.State.FAILED && s != RunnerStatus.State.STOPPED;
    }

    public RunnerStatus status() {
        RunnerStatus.State s;
        Instant next;
        lock.lock();
        try {
            s = stopping && state != RunnerStatus.State.FAILED && state != RunnerStatus.State.STOPPED
                    ? RunnerStatus.State.STOPPING : state;
            next = stopping ? null : nextCycleAt;
        } finally {
            lock.unlock();
        }
        return new RunnerStatus(pipeline.name(), mode(), s, isReady(), interval.toString(), committed, lastCycle, next,
                consecutiveFailures, lastError, cycles, rowsRead, rowsWritten);
    }

    /**
     * Runs one cycle on the calling thread (waiting while another cycle runs) and returns its report;
     * a failure is reported, not thrown. For one-shot jobs, tests and benchmarks; the scheduled
     * cycles of a started runner are not moved by it.
     */
    public CycleReport runOnce() {
        synchronized (cycleMutex) {
            long seq = ++sequence;
            Instant started = Instant.now();
            long t0 = System.nanoTime();
            CycleAttempt a = new CycleAttempt();
            String error = null;
            try {
                body.run(a, listener);
            } catch (RuntimeException e) {
                a.outcome = CycleOutcome.FAILED;
                error = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                if (!error.contains(Failures.rootMessage(e))) {
                    error = error + " (cause: " + Failures.rootMessage(e) + ")";
                }
                LOG.warn("continuous runner '{}': cycle {} (batch {}) failed ({}); nothing was committed",
                        pipeline.name(), seq, a.batchId, Failures.retryable(e) ? "retryable" : "may need a fix", e);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            CycleReport report = new CycleReport(seq, a.batchId, a.outcome, started, ms, a.from, a.upTo,
                    a.rowsRead, a.rowsWritten, error);
            if (a.committedKnown) {
                committed = a.committed;
            }
            if (a.outcome == CycleOutcome.FAILED) {
                consecutiveFailures++;
                lastError = error;
            } else {
                consecutiveFailures = 0;
                lastError = null;
                lastSuccessStart = started;
                if (a.outcome == CycleOutcome.PUBLISHED) {
                    LOG.info("continuous runner '{}': batch {} published in {} ms: {} row(s) read, {} written, watermark {} -> {}",
                            pipeline.name(), a.batchId, ms, a.rowsRead, a.rowsWritten, a.from, a.upTo);
                }
            }
            cycles++;
            if (a.rowsRead > 0) {
                rowsRead += a.rowsRead;
            }
            if (a.rowsWritten > 0) {
                rowsWritten += a.rowsWritten;
            }
            lastCycle = report;
            RunnerMetrics m = metrics;
            if (m != null) {
                m.record(report);
            }
            try {
                listener.afterCycle(report);
            } catch (RuntimeException e) {
                LOG.error("continuous runner '{}': a CycleListener's afterCycle threw; the cycle's result stands", pipeline.name(), e);
            }
            return report;
        }
    }

    private void loop() {
        while (true) {
            List<CompletableFuture<CycleReport>> waiting;
            lock.lock();
            try {
                while (true) {
                    if (stopping) {
                        return;
                    }
                    if (!requested.isEmpty()) {
                        break;
                    }
                    if (state == RunnerStatus.State.RUNNING && nextCycleAt != null) {
                        long waitMs = Duration.between(Instant.now(), nextCycleAt).toMillis();
                        if (waitMs <= 0) {
                            break;
                        }
                        changed.await(waitMs, TimeUnit.MILLISECONDS);
                    } else {
                        changed.await();
                    }
                }
                waiting = new ArrayList<>(requested);
                requested.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            CycleReport report = runOnce();
            waiting.forEach(f -> f.complete(report));
            lock.lock();
            try {
                boolean failed = report.outcome() == CycleOutcome.FAILED;
                if (failed && stopAfterFailures > 0 && consecutiveFailures >= stopAfterFailures) {
                    state = RunnerStatus.State.FAILED;
                    nextCycleAt = null;
                    failRequested("the runner failed " + consecutiveFailures + " cycles in a row and stopped");
                    LOG.error("continuous runner '{}' stops after {} consecutive failures; last error: {}",
                            pipeline.name(), consecutiveFailures, lastError);
                    return;
                }
                Duration wait = failed ? backoff.delay(consecutiveFailures) : interval;
                if (state == RunnerStatus.State.RUNNING) {
                    nextCycleAt = Instant.now().plus(wait);
                }
                if (failed) {
                    LOG.info("continuous runner '{}': retrying in {} ms (failure {} in a row)", pipeline.name(),
                            wait.toMillis(), consecutiveFailures);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "ContinuousRunner[" + pipeline.name() + ", " + mode() + "]";
    }

    /**
     * Builds a {@link ContinuousRunner}. Setters reject nulls and out-of-range values; {@link #build()}
     * checks the pipeline kind against the progress holder (watermark store or checkpoint) and the sink's guarantee.
     */
    public static final class Builder {
        private final SparkSession spark;
        private final Pipeline pipeline;
        private WatermarkStore store;
        private String checkpoint;
        private String outputMode = "append";
        private Duration interval = Duration.ofMinutes(1);
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(5);
        private int unreadyAfterFailures = 3;
        private int stopAfterFailures;
        private boolean allowNonIdempotentSink;
        private CycleListener listener = new CycleListener() { };

        private Builder(SparkSession spark, Pipeline pipeline) {
            this.spark = Objects.requireNonNull(spark, "spark");
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        }

        /** Where the incremental mode keeps its progress; required for an INCREMENTAL pipeline, excludes {@link #checkpoint}. */
        public Builder watermarkStore(WatermarkStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Spark's checkpoint folder for the available-now mode; required for a STREAMING pipeline, excludes {@link #watermarkStore}. */
        public Builder checkpoint(String checkpoint) {
            Objects.requireNonNull(checkpoint, "checkpoint");
            if (checkpoint.isBlank()) {
                throw new ConfigurationException("the checkpoint location must not be blank");
            }
            this.checkpoint = checkpoint;
            return this;
        }

        /** The output mode of the available-now query: {@code append} (default), {@code update} or {@code complete}. */
        public Builder outputMode(String outputMode) {
            String m = Objects.requireNonNull(outputMode, "outputMode").toLowerCase(Locale.ROOT);
            if (!List.of("append", "update", "complete").contains(m)) {
                throw new ConfigurationException("outputMode must be one of append, update, complete; got '" + outputMode + "'");
            }
            this.outputMode = m;
            return this;
        }

        /** The pause between the end of a successful cycle and the start of the next; default 1 minute; at least 1 ms. */
        public Builder interval(Duration interval) {
            this.interval = positive(interval, "interval");
            return this;
        }

        /** The first retry delay after a failure; default 1 s; at least 1 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = positive(initialBackoff, "initialBackoff");
            return this;
        }

        /** The largest retry delay; default 5 minutes; at least {@code initialBackoff}. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive(maxBackoff, "maxBackoff");
            return this;
        }

        /** Readiness turns false after this many consecutive failed cycles; default 3; 1 to 1000. */
        public Builder unreadyAfterFailures(int n) {
            if (n < 1 || n > 1000) {
                throw new ConfigurationException("unreadyAfterFailures must be 1..1000, got " + n);
            }
            this.unreadyAfterFailures = n;
            return this;
        }

        /** The runner stops (state FAILED) after this many consecutive failed cycles; default 0 = never, keep trying. */
        public Builder stopAfterFailures(int n) {
            if (n < 0) {
                throw new ConfigurationException("stopAfterFailures must be >= 0 (0 = never stop), got " + n);
            }
            this.stopAfterFailures = n;
            return this;
        }

        /** Accepts a sink that may publish a re-run batch twice (at-least-once, best-effort); default false. */
        public Builder allowNonIdempotentSink(boolean allow) {
            this.allowNonIdempotentSink = allow;
            return this;
        }

        /** Hooks into every cycle (tests, observability); default none. */
        public Builder listener(CycleListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.toMillis() < 1) {
                throw new ConfigurationException(what + " must be at least 1 ms, got " + d);
            }
            return d;
        }

        /**
         * @throws ConfigurationException when the pipeline is a BATCH one, when an INCREMENTAL pipeline
         *         has no watermark store or a STREAMING one no checkpoint, when both are given, when
         *         {@code maxBackoff < initialBackoff}, or when the sink is not idempotent and that was not allowed
         */
        public ContinuousRunner build() {
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
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new ConfigurationException("maxBackoff (" + maxBackoff + ") must not be smaller than initialBackoff (" + initialBackoff + ")");
            }
            DeliveryGuarantee g = pipeline.kind() == PipelineKind.STREAMING
                    ? ((dev.kindling.ipp.StreamWritable) pipeline.sink()).streamGuarantee()
                    : pipeline.sink().guarantee();
            if (!allowNonIdempotentSink && (g == DeliveryGuarantee.AT_LEAST_ONCE || g == DeliveryGuarantee.BEST_EFFORT)) {
                throw new ConfigurationException("sink '" + pipeline.sink().name() + "' of '" + name + "' is " + g
                        + ": a re-run batch could be published twice. Use an idempotent sink (JDBC mode=upsert, file perBatch=true "
                        + "or mode=overwrite) or call allowNonIdempotentSink(true)");
            }
            return new ContinuousRunner(this);
        }
    }
}
