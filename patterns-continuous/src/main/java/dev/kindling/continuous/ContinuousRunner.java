package dev.kindling.continuous;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcLease;
import dev.kindling.continuous.internal.ContinuousMeters;
import dev.kindling.continuous.internal.CycleAccount;
import dev.kindling.continuous.internal.CyclePolicy;
import dev.kindling.continuous.internal.CycleRoutes;
import dev.kindling.continuous.internal.CycleSupervisor;
import dev.kindling.continuous.internal.Leadership;
import dev.kindling.continuous.internal.RunnerOptions;
import dev.kindling.continuous.internal.SettingsAssembly;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import dev.kindling.service.Health;
import dev.kindling.service.Routes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-batch runner, a {@link Component} of a {@code KindlingService}: always running, each
 * cycle takes what is new since the last one, processes it and publishes it.
 *
 * <pre>{@code
 * Connectors c = Connectors.builtIn();
 * Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL)
 *         .name("orders-per-day")
 *         .source(c.source("jdbc:postgresql://db:5432/shop?table=orders&watermarkColumn=id&user=app&password.env=PGPASSWORD"))
 *         .process(Processor.sql("SELECT id, customer, amount * 100 AS cents FROM input"))
 *         .sink(c.sink("file:/data/orders?format=parquet&perBatch=true"))
 *         .build();
 * ContinuousRunner runner = ContinuousRunner.builder(pipeline)
 *         .watermarkStore(new FileWatermarkStore(Path.of("/var/lib/orders/watermark.properties")))
 *         .interval(Duration.ofMinutes(1))
 *         .build();
 * KindlingService.builder("orders").component(runner).run();
 * }</pre>
 *
 * <p><b>Two modes.</b> An {@link PipelineKind#INCREMENTAL} pipeline (an
 * {@link dev.kindling.ipp.IncrementalReadable} source, a {@link dev.kindling.ipp.BatchWritable}
 * sink) runs in the <i>incremental</i> mode with a {@link WatermarkStore}. A cycle: load the
 * {@link CommittedBatch} → ask the source for its newest watermark, which fixes the cycle's upper
 * bound (rows arriving later are the next cycle's) → if nothing is new, stop: no Spark job runs →
 * read {@code (committed, newest]} → publish it through the pipeline ({@link Pipeline#publish}: the
 * decoder and dead letters, the processors, the sink) as batch {@code committed.batchId + 1} → commit
 * only after the sink reported success. A {@link PipelineKind#STREAMING} pipeline (files, Kafka) runs
 * in the <i>available-now</i> mode: each cycle assembles the queries with core's {@link StreamingPlan}
 * (the same assembly and output-mode check as the streaming runner) and runs them with
 * {@code Trigger.AvailableNow()} on the {@link Builder#checkpoint checkpoint}, which holds the progress.
 *
 * <p><b>Delivery.</b> A crash at any instant loses nothing: before the commit, the next cycle reads
 * the same range again (plus what arrived since) and writes the same batch id, so an idempotent sink
 * replaces its earlier attempt. {@code build()} refuses an at-least-once or best-effort sink (or
 * dead-letter sink) unless {@link Builder#allowNonIdempotentSink(boolean)} says so.
 *
 * <p><b>Failures and states.</b> A {@link ConfigurationException} in a cycle is never retried: the
 * runner moves to {@code FAILED} at once. Another failure commits nothing and is retried after core's
 * {@link dev.kindling.service.Backoff} (exponential, capped, full jitter); the state stays
 * {@code RUNNING} until {@code unreadyAfterFailures} cycles failed in a row, then it is
 * {@code RECOVERING} (not ready) until a cycle succeeds; after {@code stopAfterFailures} (&gt; 0) it is
 * {@code FAILED}. A paused runner is {@code PAUSED}. An {@link Error} in a cycle fails the runner.
 *
 * <p><b>Replicas.</b> With a PostgreSQL {@link JdbcWatermarkStore} (incremental mode), several copies of
 * the service may run behind one address: the one that holds the lease {@code continuous/NAME}
 * ({@link JdbcLease}; {@link ContinuousSettings#LEASE_TTL}, {@link ContinuousSettings#REPLICA_ID}) runs the
 * cycles; the others are ready standbys ({@code POST /cycles} answers {@code 409} naming the leader) and
 * one takes over within about 1⅓ ttl of the leader's death, from the committed watermark. Each commit is
 * fenced by the cycle's grant: a replica that lost the lease commits nothing ({@link CycleOutcome#ABANDONED})
 * and waits again. Without a PostgreSQL store there is no lease: run one replica.
 *
 * <p><b>HTTP</b>, under the {@link Builder#routePrefix route prefix} (default none):
 * {@code POST /cycles} runs a cycle now ({@code 202}, {@code Location: /status}; with
 * {@code ?wait=30s}, {@code 200} and the {@link CycleReport} once it ran within that time);
 * {@code POST /pause} and {@code POST /resume} ({@code 200}). A stopping, stopped or failed runner
 * answers {@code 409}. The status is the service's {@code GET /status}, with {@link ContinuousStatus}
 * as this component's details.
 *
 * <p><b>Lifecycle and threads.</b> The service calls {@link #routes}, then {@link #start} (the
 * SparkSession, settings and meters come from the context; options left unset in the builder are
 * read from {@link ContinuousSettings}), which starts one cycle thread; the first cycle runs at once
 * (with replicas: once this replica leads) unless the runner starts paused, the next one
 * {@code interval} after the previous one ended.
 * Cycles never overlap, also with {@link #runOnce()}, which runs one on the calling thread.
 * {@link #runCycle()}, {@link #pause()}, {@link #resume()}, {@link #details()} and
 * {@link #readiness()} may be called from any thread once started. {@link #stop} lets the current
 * cycle finish within most of the shared shutdown deadline, then cancels its Spark jobs (nothing is
 * committed), releases the lease and returns by the deadline.
 */
public final class ContinuousRunner implements Component {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousRunner.class);

    private final RunnerOptions options;
    private final CycleAccount account;
    private final CycleSupervisor supervisor;

    private ContinuousRunner(RunnerOptions options) {
        this.options = options;
        this.account = new CycleAccount(options.pipeline().name(), options.listener());
        this.supervisor = new CycleSupervisor(options.pipeline().name(), account);
    }

    /** A builder for a runner of {@code pipeline}. */
    public static Builder builder(Pipeline pipeline) {
        return new Builder(pipeline);
    }

    /**
     * A runner assembled from settings alone ({@link ContinuousSettings}): the source URI (with the
     * watermark column), an optional SQL processor, the sink URI, and the watermark store or checkpoint
     * of the chosen mode. No Spark session is needed until it starts.
     *
     * @throws ConfigurationException naming every missing setting, or the one that is wrong
     */
    public static ContinuousRunner fromSettings(Settings settings) {
        return SettingsAssembly.runner(settings).build();
    }

    /** The pipeline's name. */
    @Override
    public String name() {
        return options.pipeline().name();
    }

    /** {@code continuous}. */
    @Override
    public String pattern() {
        return "continuous";
    }

    public Pipeline pipeline() {
        return options.pipeline();
    }

    /** {@code incremental} or {@code available-now}. */
    public String mode() {
        return options.mode();
    }

    @Override
    public void routes(Routes routes) {
        new CycleRoutes(name(), options.routePrefix(), supervisor).addTo(routes);
    }

    @Override
    public void start(ComponentContext context) {
        CyclePolicy policy = options.policy(context.settings());
        Leadership leadership = options.leadership(context.settings());
        account.bind(new ContinuousMeters(context.meters(), account::lagSeconds, account::consecutiveFailures,
                () -> leadership.leads() ? 1 : 0));
        supervisor.start(context, options.body(context.spark()), policy, leadership);
        LOG.info("continuous runner '{}' started{}: {} mode, every {}, {} -> {}; {}", name(), policy.startPaused() ? " paused" : "", mode(),
                Setting.formatDuration(policy.interval()), pipeline().source().name(), pipeline().sink().name(),
                leadership.lease() == null ? "no lease: run a single replica" : "replica " + leadership.replicaId() + " campaigns for "
                        + leadership.lease());
    }

    @Override
    public void stop(Deadline deadline) throws InterruptedException {
        supervisor.stop(deadline);
    }

    /** The pipeline's remote systems (source, sink, dead letters) and the watermark store's database, if it has one. */
    @Override
    public List<Dependency> dependencies() {
        List<Object> parts = new ArrayList<>(List.of(options.pipeline().source(), options.pipeline().sink()));
        options.pipeline().deadLetters().ifPresent(parts::add);
        java.util.Optional.ofNullable(options.store()).ifPresent(parts::add);
        return Dependency.of(parts);
    }

    /** Down while {@code unreadyAfterFailures} or more cycles have failed in a row. */
    @Override
    public Health readiness() {
        CyclePolicy policy = supervisor.policy();
        int failures = account.consecutiveFailures();
        if (policy == null || failures < policy.unreadyAfterFailures()) {
            return Health.up();
        }
        CycleReport last = account.lastCycle();
        return Health.down(failures + " cycles failed in a row" + (last == null || last.error() == null ? "" : "; the last: " + last.error()));
    }

    @Override
    public ContinuousStatus details() {
        CyclePolicy policy = supervisor.policy();
        Duration interval = policy != null ? policy.interval() : options.interval();
        return account.status(mode(), interval == null ? null : Setting.formatDuration(interval), supervisor.nextCycleAt(),
                Objects.requireNonNullElse(supervisor.leadership(), Leadership.single()));
    }

    /**
     * Asks for a cycle now, even when paused or backing off; the future completes with its report (also
     * for a failed cycle), or fails when the runner stops or fails first. A replica that does not lead
     * runs it once it leads; it refuses when another replica is known to lead.
     *
     * @throws IllegalStateException when the runner is not started, or is stopping, stopped or failed, or
     *         another replica leads
     */
    public CompletableFuture<CycleReport> runCycle() {
        return supervisor.request();
    }

    /**
     * Runs one cycle on the calling thread (waiting while another cycle runs) and returns its report; a
     * failure is reported, not thrown, and moves the state as a scheduled cycle's would (a configuration
     * error fails the runner). For one-shot jobs, tests and benchmarks; it does not move the schedule.
     * With replicas it first waits until this replica holds the lease.
     *
     * @throws IllegalStateException when the runner is not started, or is stopping, stopped or failed
     */
    public CycleReport runOnce() {
        return supervisor.runOnce();
    }

    /** No scheduled cycles after the current one (state {@code PAUSED}); {@link #runCycle()} still runs one. Throws as {@link #runOnce()}. */
    public void pause() {
        supervisor.pause();
    }

    /** Scheduled cycles again; the next one starts at once. Throws as {@link #runOnce()}. */
    public void resume() {
        supervisor.resume();
    }

    @Override
    public String toString() {
        return "ContinuousRunner[" + name() + ", " + mode() + "]";
    }

    /**
     * Builds a {@link ContinuousRunner}. Setters reject nulls and out-of-range values; {@link #build()}
     * checks the pipeline kind against the progress holder (watermark store or checkpoint) and the
     * sinks' guarantees. Options left unset take their {@link ContinuousSettings} value at start.
     */
    public static final class Builder {
        private final Pipeline pipeline;
        private WatermarkStore store;
        private String checkpoint;
        private String outputMode = "append";
        private Duration interval;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Integer unreadyAfterFailures;
        private Integer stopAfterFailures;
        private Boolean startPaused;
        private boolean allowNonIdempotentSink;
        private CycleListener listener = new CycleListener() { };
        private String routePrefix = "";
        private JdbcLease lease;
        private Duration leaseTtl;
        private String replicaId;

        private Builder(Pipeline pipeline) {
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

        /**
         * The output mode of the available-now queries: {@code append} (default), {@code update},
         * {@code complete}, or {@code auto} (append when Spark accepts it, else update). A mode that
         * does not fit the query fails the first cycle with Spark's reason (a configuration error).
         */
        public Builder outputMode(String outputMode) {
            this.outputMode = RunnerOptions.checkedOutputMode(outputMode);
            return this;
        }

        /** The pause between the end of a successful cycle and the start of the next; default {@link ContinuousSettings#INTERVAL}; at least 1 ms. */
        public Builder interval(Duration interval) {
            this.interval = RunnerOptions.positive(interval, "interval");
            return this;
        }

        /**
         * The backoff after failed cycles: the wait after the n-th failure in a row is drawn from
         * {@code [0, min(max, initial * 2^(n-1))]}. Default {@link ContinuousSettings#BACKOFF_INITIAL}
         * and {@link ContinuousSettings#BACKOFF_MAX}; {@code initial} at least 1 ms, {@code max} at least {@code initial}.
         */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = RunnerOptions.positive(initial, "the initial backoff");
            this.maxBackoff = RunnerOptions.positive(max, "the largest backoff");
            return this;
        }

        /** Readiness turns down (state RECOVERING) after this many failed cycles in a row; default {@link ContinuousSettings#UNREADY_AFTER_FAILURES}; 1 to 1000. */
        public Builder unreadyAfterFailures(int n) {
            if (n < 1 || n > 1000) {
                throw new ConfigurationException("unreadyAfterFailures must be 1..1000, got " + n);
            }
            this.unreadyAfterFailures = n;
            return this;
        }

        /** The runner fails (state FAILED) after this many failed cycles in a row; default {@link ContinuousSettings#STOP_AFTER_FAILURES}; 0 = never. */
        public Builder stopAfterFailures(int n) {
            if (n < 0) {
                throw new ConfigurationException("stopAfterFailures must be >= 0 (0 = never stop), got " + n);
            }
            this.stopAfterFailures = n;
            return this;
        }

        /** Start without scheduled cycles (state PAUSED) until {@code resume()}; default {@link ContinuousSettings#START_PAUSED}. */
        public Builder startPaused(boolean paused) {
            this.startPaused = paused;
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

        /**
         * Where the runner's routes go: {@code /modeler} serves {@code POST /modeler/cycles}, ...; default
         * none ({@code POST /cycles}). Empty, or {@code /} followed by path segments without a trailing {@code /}.
         */
        public Builder routePrefix(String prefix) {
            this.routePrefix = RunnerOptions.checkedRoutePrefix(prefix);
            return this;
        }

        /**
         * The lease that decides which replica runs the cycles, instead of the default one
         * ({@code continuous/NAME} in the watermark store's database); it must be kept in the database of
         * the {@link JdbcWatermarkStore}, whose commits it fences. Excludes {@link #leaseTtl} and {@link #replicaId}.
         */
        public Builder lease(JdbcLease lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
            return this;
        }

        /** The ttl of the default lease; default {@link ContinuousSettings#LEASE_TTL} (15 s); at least 1 s. */
        public Builder leaseTtl(Duration ttl) {
            this.leaseTtl = RunnerOptions.checkedLeaseTtl(ttl);
            return this;
        }

        /**
         * This replica's id as the default lease's holder, shown in {@code /status}; default
         * {@link ContinuousSettings#REPLICA_ID}, else host name/process id; 1 to 300 characters.
         */
        public Builder replicaId(String id) {
            this.replicaId = RunnerOptions.checkedReplicaId(id);
            return this;
        }

        /**
         * @throws ConfigurationException when the pipeline is a BATCH one, when an INCREMENTAL pipeline
         *         has no watermark store or a STREAMING one no checkpoint, when both are given, when the
         *         largest backoff is smaller than the initial one, when a sink is not idempotent and
         *         that was not allowed, or when a lease option is given without a PostgreSQL {@link JdbcWatermarkStore}
         */
        public ContinuousRunner build() {
            return new ContinuousRunner(new RunnerOptions(pipeline, store, checkpoint, outputMode, interval, initialBackoff, maxBackoff,
                    unreadyAfterFailures, stopAfterFailures, startPaused, allowNonIdempotentSink, listener, routePrefix,
                    lease, leaseTtl, replicaId).validate());
        }
    }
}
