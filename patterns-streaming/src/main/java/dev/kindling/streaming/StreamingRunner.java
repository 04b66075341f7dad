package dev.kindling.streaming;

import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.KafkaSource;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Sink;
import dev.kindling.service.Backoff;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Deadline;
import dev.kindling.service.Health;
import dev.kindling.service.Routes;
import dev.kindling.streaming.internal.LagMonitor;
import dev.kindling.streaming.internal.Leadership;
import dev.kindling.streaming.internal.ProgressListener;
import dev.kindling.streaming.internal.QuerySupervisor;
import dev.kindling.streaming.internal.RunnerThreads;
import dev.kindling.streaming.internal.StopSignal;
import dev.kindling.streaming.internal.StreamingMetrics;
import dev.kindling.streaming.internal.StreamingQueries;
import dev.kindling.streaming.internal.TableRoutes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link PipelineKind#STREAMING} pipeline as Spark Structured Streaming queries, as a
 * {@link Component} of a {@link dev.kindling.service.KindlingService}: source → decoder → processors →
 * sink, records the decoder rejects to the pipeline's dead-letter sink, failed queries restarted from
 * the checkpoint with backoff, queryable tables served over HTTP, metrics with the Kafka consumer lag.
 *
 * <pre>{@code
 * Connectors c = Connectors.builtIn();
 * Pipeline wordcount = Pipeline.builder(PipelineKind.STREAMING).name("wordcount")
 *         .source(c.source("kafka://127.0.0.1:9092/words"))
 *         .decoder(RecordDecoder.text())
 *         .process(Processor.sql("SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word"))
 *         .sink(c.sink("table:word_counts?keys=word"))                  // GET /tables/word_counts
 *         .deadLetters(c.sink("kafka://127.0.0.1:9092/words-dead-letters"))
 *         .build();
 * KindlingService.builder("wordcount")
 *         .component(StreamingRunner.builder(wordcount).checkpoint("/var/lib/wordcount").trigger(StreamTrigger.every(Duration.ofSeconds(2))).build())
 *         .run();
 * }</pre>
 *
 * <p><b>Queries.</b> Core's {@link dev.kindling.ipp.StreamingPlan} assembles them: the main query, named
 * after the pipeline, checkpoints in {@code CHECKPOINT/query}, its output mode checked against the plan
 * before it starts; with a dead-letter sink a second query, {@code NAME_dead_letters}, reads the same
 * source and appends the rejected records ({@code CHECKPOINT/dead-letters}). A {@link QueryableTable}
 * keeps its snapshots in {@code CHECKPOINT/table-NAME}.
 *
 * <p><b>Lifecycle.</b> {@link #start} (on the service's starting thread) gets the SparkSession from the
 * context, registers the meters, assembles and starts the queries (a {@link ConfigurationException}, such
 * as an output mode that does not fit, is thrown there and fails the service's start) and starts two
 * threads made with {@link ComponentContext#newThread}: the supervisor and, for a Kafka source, the lag
 * poller. The supervisor waits for the queries to end. After an available-now run the state becomes
 * COMPLETED. After a failure the queries are stopped, the error is reported, the state is RECOVERING
 * (not ready) for a backoff with full jitter, then both queries restart from their checkpoints; a
 * {@link ConfigurationException} in the cause chain, or more than {@code maxRestarts} failures in a row
 * without a micro-batch in between, moves the runner to FAILED. <b>A query that died of an
 * {@link Error}</b> (Spark hands it over wrapped in a {@code StreamingQueryException}) is fatal: the
 * supervisor throws the Error again on its own thread, so the runner is FAILED with it, as for any
 * Throwable on a component's thread. {@link #stop} shares the service's shutdown deadline: a running
 * micro-batch may finish within three quarters of the time left, then the queries are stopped; whatever
 * is still running at the deadline is logged and left behind, never waited for beyond it.
 *
 * <p><b>Delivery.</b> Offsets and state live in the checkpoint; a batch is committed there only after the
 * sink wrote it, so after a crash the last batch is re-run. What that means for the output is the sink's
 * guarantee: Kafka is at-least-once, a JDBC upsert and a {@link QueryableTable} are exactly-once in effect,
 * Spark's file sink is exactly-once.
 *
 * <p><b>Replicas.</b> With a {@linkplain Builder#lease lease}, replicas share one checkpoint: the holder runs the
 * queries; standbys are ready, their tables answer {@code 503}, and they start the queries once they hold it. A
 * leader that loses the lease stops its queries at once and waits for it again; {@link #stop} releases it.
 *
 * <p><b>Threads.</b> {@link #readiness()}, {@link #details()}, the routes and the meters may be read from
 * any thread. The runner registers one {@code StreamingQueryListener} on the session while it runs.
 */
public final class StreamingRunner implements Component {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingRunner.class);

    private final String name;
    private final Pipeline pipeline;
    private final String checkpoint;
    private final StreamTrigger trigger;
    private final Backoff backoff;
    private final int maxRestarts;
    private final Duration lagInterval;
    private final Integer tableMaxLimit;
    private final List<QueryableTable> tables;
    private final TableRoutes tableRoutes;
    private final StreamingQueries queries;
    private final Leadership leadership;
    private final StopSignal signal = new StopSignal();

    private volatile ComponentContext context;
    private volatile StreamingMetrics metrics;
    private volatile LagMonitor lag;
    private volatile ProgressListener listener;
    private volatile int maxLimit; // 0 until started
    private volatile boolean completed;
    private volatile RunnerThreads threads;

    private StreamingRunner(Builder b) {
        this.name = b.pipeline.name();
        this.pipeline = b.pipeline;
        this.checkpoint = b.checkpoint;
        this.trigger = b.trigger;
        this.backoff = b.backoff;
        this.maxRestarts = b.maxRestarts;
        this.lagInterval = b.lagInterval;
        this.tableMaxLimit = b.tableMaxLimit;
        this.tables = Stream.concat(Stream.of(pipeline.sink()), pipeline.deadLetters().stream())
                .filter(QueryableTable.class::isInstance).map(QueryableTable.class::cast).toList();
        this.leadership = b.lease == null ? Leadership.solo() : Leadership.of(b.lease);
        this.tableRoutes = new TableRoutes(name, b.routePrefix, tables, () -> leadership.tablesUnavailable(name));
        this.queries = new StreamingQueries(pipeline, checkpoint, trigger, b.outputMode);
    }

    /**
     * A builder for a runner of {@code pipeline}, a {@link PipelineKind#STREAMING} pipeline whose name
     * (letters, digits, {@code _}, {@code -}) becomes the runner's and its main query's.
     */
    public static Builder builder(Pipeline pipeline) {
        return new Builder(pipeline);
    }

    /**
     * The runner that settings alone describe (see {@link StreamingSettings}), as the
     * configuration-only service builds it.
     *
     * @throws dev.kindling.ipp.ConfigurationException naming every setting that is missing or wrong
     */
    public static StreamingRunner fromSettings(dev.kindling.config.Settings settings) {
        return new dev.kindling.streaming.internal.StreamingProvider().fromSettings(settings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String pattern() {
        return "streaming";
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The queryable tables this runner writes (its sink and/or its dead-letter sink). */
    public List<QueryableTable> tables() {
        return tables;
    }

    /**
     * {@code GET PREFIX/tables/NAME?orderBy=COL&desc=true&limit=N} for each queryable table: the rows as a
     * JSON list of objects; {@code 400} for an unknown or repeated parameter, an unknown column, a limit
     * outside 1..{@code kindling.streaming.table.max-limit}; {@code 503} before the runner has started and on a standby.
     */
    @Override
    public void routes(Routes routes) {
        tableRoutes.register(routes, () -> maxLimit);
    }

    @Override
    public void start(ComponentContext context) {
        this.context = context;
        SparkSession spark = context.spark();
        Backoff b = backoff != null ? backoff : Backoff.fromSettings(context.settings(), pattern());
        maxLimit = tableMaxLimit != null ? tableMaxLimit : context.settings().get(StreamingSettings.TABLE_MAX_LIMIT);
        StreamingMetrics m = new StreamingMetrics(context.meters(), this::up, queries::rejected);
        LagMonitor l = pipeline.source() instanceof KafkaSource kafka ? new LagMonitor(name, kafka, context.meters()) : null;
        ProgressListener pl = new ProgressListener(name, m, l, signal, this::progressed);
        spark.streams().addListener(pl);
        listener = pl;
        lag = l;
        RuntimeException startFailure;
        try {
            startFailure = queries.startFirst(spark, leadership.replicated());
        } catch (RuntimeException e) {
            spark.streams().removeListener(pl);
            throw e;
        }
        leadership.start(signal, context.meters());
        metrics = m;
        threads = RunnerThreads.start(context, new QuerySupervisor(name, queries, context, m, signal, b, maxRestarts,
                trigger.kind() == StreamTrigger.Kind.AVAILABLE_NOW, () -> completed = true, leadership, startFailure), l, signal, lagInterval);
    }

    /**
     * Stops by {@code deadline}: a running micro-batch may finish, then the queries stop, the supervisor and
     * the lag poller end and the lag client closes. A query that cannot be stopped by then (Spark reads Kafka
     * offsets without heeding interrupts, so a query waiting on a broker that is gone stops only when Kafka's
     * own timeouts pass) is logged and left behind: this method then returns at the deadline, and the
     * service lists the runner among what overran its deadline (and on SIGTERM exits anyway). A lease is then
     * released, so a standby takes over at once; kept (until the process exits) while a query is left behind.
     */
    @Override
    public void stop(Deadline deadline) throws InterruptedException {
        signal.request();
        List<String> late = new ArrayList<>(queries.stop(deadline));
        RunnerThreads t = threads;
        if (t != null) {
            late.addAll(t.stop(deadline));
        }
        leadership.close(late.isEmpty());
        ComponentContext c = context;
        ProgressListener pl = listener;
        if (c != null && pl != null) {
            c.spark().streams().removeListener(pl);
        }
        if (late.isEmpty()) {
            LOG.info("streaming runner '{}' stopped", name);
        } else {
            LOG.warn("streaming runner '{}': still running at the shutdown deadline, left behind: {}", name, String.join(", ", late));
        }
    }

    /** The pipeline's remote systems (its source, sink and dead-letter sink, where they are remote) and the lease's database. */
    @Override
    public List<Dependency> dependencies() {
        return Stream.concat(pipeline.dependencies().stream(), leadership.dependencies().stream()).toList();
    }

    /** Ready while every query runs, after an available-now run has completed, and while a standby replica. */
    @Override
    public Health readiness() {
        return completed || leadership.standby() ? Health.up() : Health.when(queries.running(), "query '" + name + "' is not running");
    }

    /** A batch went through: the runner has recovered from its last error (a FAILED runner keeps it). */
    private void progressed() {
        ComponentContext c = context;
        if (c != null && c.state() == ComponentState.RUNNING) {
            c.clearError();
        }
    }

    private boolean up() {
        ComponentContext c = context;
        return c != null && c.state().canBeReady() && readiness().ok();
    }

    @Override
    public StreamingStatus details() {
        StreamingMetrics m = metrics;
        LagMonitor l = lag;
        return new StreamingStatus(pipeline.source().name(), pipeline.sink().name(), pipeline.deadLetters().map(Sink::name).orElse(null),
                queries.triggerInUse(), queries.triggerReason(), queries.outputMode(), queries.queryId(), m == null ? 0 : m.restarts(),
                m == null ? -1 : m.lastBatchId(), m == null ? 0 : m.inputRowsPerSecond(), m == null ? 0 : m.processedRowsPerSecond(),
                m == null ? 0 : m.batchDurationMs(), m == null ? 0 : m.stateRows(), m == null ? 0 : m.inputRows(),
                m == null ? 0 : m.deadLetters(), l == null ? List.of() : l.snapshot(), m == null ? null : m.lastProgressAt(),
                tableRoutes.summaries(), leadership.status());
    }

    @Override
    public String toString() {
        return "StreamingRunner[" + name + ": " + pipeline + "]";
    }

    /**
     * Builds a {@link StreamingRunner}. Setters reject nulls and values out of range; {@link #build()}
     * checks the pipeline's kind and name, and that the sinks that need a checkpoint have one.
     */
    public static final class Builder {
        private final Pipeline pipeline;
        private String checkpoint;
        private StreamTrigger trigger = StreamTrigger.auto();
        private String outputMode = "auto";
        private Backoff backoff;
        private int maxRestarts = StreamingSettings.MAX_RESTARTS.defaultValue();
        private Duration lagInterval = StreamingSettings.LAG_INTERVAL.defaultValue();
        private String routePrefix = "";
        private Integer tableMaxLimit;
        private JdbcLease lease;

        private Builder(Pipeline pipeline) {
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        }

        /** The checkpoint folder (local path or Hadoop URI); required unless the sinks and the query need none. */
        public Builder checkpoint(String location) {
            Objects.requireNonNull(location, "checkpoint");
            if (location.isBlank()) {
                throw new ConfigurationException("the checkpoint location must not be blank");
            }
            this.checkpoint = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
            return this;
        }

        /** How the queries run; default {@link StreamTrigger#auto()}: real-time mode when the query allows it, else a micro-batch every 5 s. */
        public Builder trigger(StreamTrigger trigger) {
            this.trigger = Objects.requireNonNull(trigger, "trigger");
            return this;
        }

        /** {@code auto} (default: append when Spark accepts it, else update), {@code append}, {@code update} or {@code complete}. */
        public Builder outputMode(String mode) {
            Objects.requireNonNull(mode, "outputMode");
            String m = mode.trim().toLowerCase(Locale.ROOT);
            if (!m.equals("auto") && !dev.kindling.ipp.StreamingPlan.OUTPUT_MODES.contains(m)) {
                throw new ConfigurationException("output mode must be auto, append, update or complete; got '" + mode + "'");
            }
            this.outputMode = m;
            return this;
        }

        /**
         * The wait before restarting failed queries (full jitter, doubled per failure in a row, capped).
         * Default: the service's settings {@code kindling.streaming.backoff.initial} (1s) and {@code .max} (1m).
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Restarts in a row without a micro-batch in between before the runner is FAILED; default 10; 0: never restart. */
        public Builder maxRestarts(int maxRestarts) {
            if (maxRestarts < 0) {
                throw new ConfigurationException("maxRestarts must be >= 0; got " + maxRestarts);
            }
            this.maxRestarts = maxRestarts;
            return this;
        }

        /** How often the Kafka lag is computed; default 5s. */
        public Builder lagInterval(Duration interval) {
            Objects.requireNonNull(interval, "lagInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw new ConfigurationException("the lag interval must be positive; got " + interval);
            }
            this.lagInterval = interval;
            return this;
        }

        /** The prefix of the runner's routes, as in {@code /wordcount}; default none (the root). */
        public Builder routePrefix(String prefix) {
            Objects.requireNonNull(prefix, "routePrefix");
            if (!prefix.isEmpty() && !prefix.matches("(/[A-Za-z0-9_.-]+)+")) {
                throw new ConfigurationException("a route prefix is empty or like /a or /a/b (letters, digits, '_', '.', '-'); got '"
                        + prefix + "'");
            }
            this.routePrefix = prefix;
            return this;
        }

        /** The largest {@code limit} of a table request; default the setting {@code kindling.streaming.table.max-limit} (1000). */
        public Builder tableMaxLimit(int max) {
            if (max < 1) {
                throw new ConfigurationException("the table max limit must be at least 1; got " + max);
            }
            this.tableMaxLimit = max;
            return this;
        }

        /**
         * Runs the queries only while this replica holds {@code lease}, so that replicas of the service can share
         * one checkpoint: see the class javadoc. Name it {@code streaming/CHECKPOINT}, as the setting
         * {@code kindling.streaming.lease-store} does; its ttl bounds the takeover after a leader dies (about a ttl
         * plus the start of the queries). Default: none (a single replica; the queries start with the runner).
         */
        public Builder lease(JdbcLease lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
            return this;
        }

        /** @throws ConfigurationException naming what does not fit */
        public StreamingRunner build() {
            String name = pipeline.name();
            if (pipeline.kind() != PipelineKind.STREAMING) {
                throw new ConfigurationException("pipeline '" + name + "' is a " + pipeline.kind() + " pipeline; a streaming runner "
                        + "needs a STREAMING one: Pipeline.builder(PipelineKind.STREAMING)");
            }
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigurationException("a streaming runner takes its pipeline's name, which must be letters, digits, '_' "
                        + "and '-'; got '" + name + "'");
            }
            if (checkpoint == null && lease != null) {
                throw new ConfigurationException("runner '" + name + "' has a lease but no checkpoint: replicas hand the queries over "
                        + "through their shared checkpoint; set checkpoint(...) / " + StreamingSettings.CHECKPOINT.name());
            }
            if (checkpoint == null) {
                StreamingQueries.requireNoCheckpoint(pipeline, StreamingSettings.CHECKPOINT.name());
            }
            return new StreamingRunner(this);
        }
    }
}
