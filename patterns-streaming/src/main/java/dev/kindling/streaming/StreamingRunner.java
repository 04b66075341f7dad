package dev.kindling.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.KafkaSink;
import dev.kindling.connect.KafkaSource;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.streaming.internal.KafkaLag;
import dev.kindling.streaming.internal.OutputModes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stream-processing pipeline as Spark Structured Streaming queries: streaming source →
 * decoder → processors → streaming sink, with undecodable records sent to a dead-letter sink,
 * failed queries restarted from the checkpoint with backoff, and metrics (rows per second, batch
 * duration, state rows, dead letters, Kafka consumer lag).
 *
 * <pre>{@code
 * Connectors c = Connectors.builtIn();
 * StreamingRunner runner = StreamingRunner.builder("wordcount")
 *         .source(c.source("kafka://127.0.0.1:9092/words"))
 *         .decoder(RecordDecoder.text())
 *         .process(Processor.sql("SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word"))
 *         .sink(c.sink("kafka://127.0.0.1:9092/word-counts?keyColumn=word"))
 *         .deadLetters(c.sink("kafka://127.0.0.1:9092/words-dead-letters"))
 *         .checkpoint("/var/lib/wordcount/checkpoint")
 *         .trigger(StreamTrigger.every(Duration.ofSeconds(2)))
 *         .build();
 * runner.bindTo(controlPlane.meterRegistry());
 * runner.start(spark);
 * }</pre>
 *
 * <p><b>Queries.</b> The main query is named after the runner and checkpoints in
 * {@code CHECKPOINT/query}. When a decoder can reject records and a dead-letter sink is set, a
 * second query ({@code NAME_dead_letters}, checkpoint {@code CHECKPOINT/dead-letters}) reads the
 * same source and writes only the rejected records, in append mode. A {@link QueryableTable} keeps
 * its snapshots in {@code CHECKPOINT/table-NAME}. The output mode is checked against the processor
 * before anything starts: an aggregation in {@code append} mode fails with a message naming
 * {@code update} and {@code complete}.
 *
 * <p><b>Lifecycle.</b> {@link #start} validates the plan on the caller's thread (a
 * {@link ConfigurationException} is thrown there), starts the queries and returns; a supervisor
 * thread ({@code kindling-streaming-NAME}) then watches them. When a query fails, the other is
 * stopped, the state becomes {@link RunnerState#RESTARTING}, and after a backoff (initial, doubled
 * up to the maximum) both start again from their checkpoints. A failure caused by a
 * {@link ConfigurationException}, or more consecutive failures (without a batch in between) than
 * {@code maxRestarts}, ends in {@link RunnerState#FAILED}. {@link #stop()} lets a running
 * micro-batch finish (up to the grace period), stops the queries and the supervisor, and is
 * idempotent; wire it to {@code ControlPlane.onShutdown} so that SIGTERM stops the query gracefully.
 *
 * <p><b>Delivery.</b> Offsets and state live in the checkpoint; a batch is committed there only
 * after the sink wrote it, so after a crash the last batch is re-run. What that means for the
 * output is the sink's guarantee: Kafka is at-least-once, a JDBC upsert and a {@link QueryableTable}
 * are exactly-once in effect, Spark's file sink is exactly-once.
 *
 * <p><b>Threads.</b> {@link #status()}, {@link #isReady()} and the metrics may be read from any
 * thread. The runner registers one {@link StreamingQueryListener} on the session while started.
 */
public final class StreamingRunner implements MeterBinder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingRunner.class);
    private static final String DEAD_LETTER_METRIC = "kindling_dead_letters";

    private final String name;
    private final Pipeline pipeline;
    private final RecordDecoder decoder;
    private final Sink deadLetterSink;
    private final String checkpoint;
    private final StreamTrigger trigger;
    private final String requestedOutputMode;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxRestarts;
    private final Duration lagInterval;
    private final Duration stopGrace;

    private final Object lock = new Object();
    private volatile RunnerState state = RunnerState.NEW;
    private volatile String outputMode;
    private volatile String lastError;
    private volatile SparkSession spark;
    private volatile StreamingQuery mainQuery;
    private volatile StreamingQuery deadLetterQuery;
    private volatile boolean stopping;
    private volatile boolean progressSinceStart;
    private Thread supervisor;
    private StreamingQueryListener listener;
    private ScheduledExecutorService lagPoller;
    private KafkaLag kafkaLag;

    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong inputRows = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicReference<StreamingQueryProgress> lastProgress = new AtomicReference<>();
    private final AtomicReference<Instant> lastProgressAt = new AtomicReference<>();
    private final Map<TopicPartition, Long> processedOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, long[]> lag = new ConcurrentHashMap<>(); // {latest, processed, lag}
    private volatile MeterRegistry registry;
    private volatile Timer batchTimer;
    private volatile Counter deadLetterCounter;
    private volatile Counter inputRowCounter;
    private volatile Counter restartCounter;

    private StreamingRunner(Builder b, Pipeline pipeline) {
        this.name = b.name;
        this.pipeline = pipeline;
        this.decoder = b.decoder;
        this.deadLetterSink = b.deadLetters;
        this.checkpoint = b.checkpoint;
        this.trigger = b.trigger;
        this.requestedOutputMode = b.outputMode;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRestarts = b.maxRestarts;
        this.lagInterval = b.lagInterval;
        this.stopGrace = b.stopGrace;
    }

    /** A builder for a runner named {@code name} (letters, digits, {@code _}, {@code -}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A runner assembled from configuration alone; see {@link StreamingSettings} for the names.
     *
     * <pre>{@code
     * // KINDLING_STREAMING_SOURCE=kafka://127.0.0.1:9092/words KINDLING_STREAMING_DECODE=text
     * // KINDLING_STREAMING_SQL="SELECT upper(value) AS value FROM input" KINDLING_STREAMING_SINK=kafka://127.0.0.1:9092/shout
     * // KINDLING_STREAMING_CHECKPOINT=/var/lib/shout
     * StreamingRunner runner = StreamingRunner.fromSettings(Connectors.builtIn(), Settings.fromEnvironment());
     * }</pre>
     */
    public static StreamingRunner fromSettings(Connectors connectors, Settings settings) {
        String source = require(settings, StreamingSettings.SOURCE.name(), settings.get(StreamingSettings.SOURCE));
        String sink = require(settings, StreamingSettings.SINK.name(), settings.get(StreamingSettings.SINK));
        Builder b = builder(settings.get(StreamingSettings.NAME))
                .source(connectors.source(source))
                .sink(connectors.sink(sink))
                .trigger(StreamTrigger.parse(settings.get(StreamingSettings.TRIGGER)))
                .outputMode(settings.get(StreamingSettings.OUTPUT_MODE))
                .restartBackoff(settings.get(StreamingSettings.RESTART_INITIAL_BACKOFF), settings.get(StreamingSettings.RESTART_MAX_BACKOFF))
                .maxRestarts(settings.get(StreamingSettings.RESTART_MAX_ATTEMPTS))
                .lagInterval(settings.get(StreamingSettings.LAG_INTERVAL));
        String sql = settings.get(StreamingSettings.SQL);
        if (sql != null && !sql.isBlank()) {
            b.process(Processor.sql(sql));
        }
        String decode = settings.get(StreamingSettings.DECODE);
        String schema = settings.get(StreamingSettings.SCHEMA);
        if (schema != null && !schema.isBlank() && !decode.equals("json")) {
            throw new ConfigurationException(StreamingSettings.SCHEMA.name() + " is set but " + StreamingSettings.DECODE.name()
                    + " is '" + decode + "': a schema goes with decode=json only");
        }
        b.decoder(switch (decode) {
            case "text" -> RecordDecoder.text();
            case "json" -> RecordDecoder.json(require(settings, StreamingSettings.SCHEMA.name(), schema));
            default -> RecordDecoder.none();
        });
        String checkpoint = settings.get(StreamingSettings.CHECKPOINT);
        if (checkpoint != null && !checkpoint.isBlank()) {
            b.checkpoint(checkpoint);
        }
        String dead = settings.get(StreamingSettings.DEAD_LETTERS);
        if (dead != null && !dead.isBlank()) {
            b.deadLetters(connectors.sink(dead));
        }
        return b.build();
    }

    private static String require(Settings settings, String name, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("setting " + name + " (environment " + dev.kindling.config.Setting.envNameOf(name)
                    + ") is required to run a streaming service from configuration");
        }
        return value;
    }

    public String name() {
        return name;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The queryable tables this runner writes (its sink and/or its dead-letter sink). */
    public List<QueryableTable> tables() {
        List<QueryableTable> out = new ArrayList<>();
        if (pipeline.sink() instanceof QueryableTable t) {
            out.add(t);
        }
        if (deadLetterSink instanceof QueryableTable t) {
            out.add(t);
        }
        return out;
    }

    /**
     * Checks the plan, then starts the queries and the supervisor; returns once the queries started.
     *
     * @throws ConfigurationException when the pipeline cannot run: a decoder that does not fit the
     *         source, an output mode that does not fit the processor, a missing checkpoint
     * @throws IllegalStateException when started twice
     */
    public void start(SparkSession spark) {
        Objects.requireNonNull(spark, "spark");
        synchronized (lock) {
            if (state != RunnerState.NEW) {
                throw new IllegalStateException("runner '" + name + "' was already started (state " + state + ")");
            }
            this.spark = spark;
            state = RunnerState.STARTING;
        }
        try {
            startQueries();
        } catch (RuntimeException e) {
            state = RunnerState.FAILED;
            lastError = Failures.rootMessage(e);
            throw e;
        }
        listener = new ProgressListener();
        spark.streams().addListener(listener);
        if (pipeline.source() instanceof KafkaSource kafka) {
            kafkaLag = new KafkaLag(kafka.bootstrapServers(), kafka.topics(), kafkaOptions(kafka));
            lagPoller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kindling-lag-" + name);
                t.setDaemon(true);
                return t;
            });
            lagPoller.scheduleWithFixedDelay(this::pollLag, 0, lagInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        state = RunnerState.RUNNING;
        supervisor = new Thread(this::supervise, "kindling-streaming-" + name);
        supervisor.setDaemon(true);
        supervisor.start();
    }

    private static Map<String, String> kafkaOptions(KafkaSource kafka) {
        // KafkaSource (core) does not expose its kafka.* options, so the admin client that reads the latest
        // offsets connects with the bootstrap servers only (no SASL/TLS settings). Reported to the lead.
        return Map.of();
    }

    private void startQueries() {
        progressSinceStart = false;
        SparkSession s = spark;
        Dataset<Row> raw = pipeline.sourceAs(StreamReadable.class).readStream(s);
        Dataset<Row> decoded = decoder.decode(raw);
        Dataset<Row> observed = decoder.canReject()
                ? decoded.observe(DEAD_LETTER_METRIC, count(when(col(RecordDecoder.ERROR_COLUMN).isNotNull(), lit(1))).as("n"))
                : decoded;
        Dataset<Row> result = pipeline.process(RecordDecoder.accepted(observed));
        String mode = OutputModes.resolve(result, requestedOutputMode, name);
        boolean stateful = !mode.equals("append");
        StreamWritable sink = pipeline.sinkAs(StreamWritable.class);
        if (checkpoint == null && stateful) {
            throw new ConfigurationException("query '" + name + "' keeps state (it aggregates; output mode " + mode
                    + "), and its state lives in the checkpoint: set checkpoint(...) / " + StreamingSettings.CHECKPOINT.name());
        }
        if (sink instanceof QueryableTable table) {
            table.open(s, result.schema(), mode, checkpoint + "/table-" + table.tableName());
        }
        outputMode = mode;
        DataStreamWriter<Row> writer = sink.writeStream(result).queryName(name).outputMode(mode).trigger(trigger.toSpark());
        if (checkpoint != null) {
            writer = writer.option("checkpointLocation", checkpoint + "/query");
        }
        StreamingQuery dead = null;
        if (deadLetterSink != null) {
            Dataset<Row> rejected = RecordDecoder.rejected(decoder.decode(pipeline.sourceAs(StreamReadable.class).readStream(s)));
            Dataset<Row> shaped = deadLetterSink instanceof KafkaSink ? RecordDecoder.rejectedForKafka(rejected) : rejected;
            StreamWritable dl = (StreamWritable) deadLetterSink;
            if (dl instanceof QueryableTable table) {
                table.open(s, shaped.schema(), "append", checkpoint + "/table-" + table.tableName());
            }
            DataStreamWriter<Row> w = dl.writeStream(shaped).queryName(name + "_dead_letters").outputMode("append")
                    .trigger(trigger.toSpark()).option("checkpointLocation", checkpoint + "/dead-letters");
            dead = startQuery(w);
        }
        try {
            mainQuery = startQuery(writer);
        } catch (RuntimeException e) {
            if (dead != null) {
                stopQuietly(dead);
            }
            throw e;
        }
        deadLetterQuery = dead;
        LOG.info("streaming query '{}' started: {} -> {} (output mode {}, trigger {}, checkpoint {}{})", name,
                pipeline.source().name(), pipeline.sink().name(), mode, trigger, checkpoint,
                deadLetterSink == null ? "" : ", dead letters -> " + deadLetterSink.name());
    }

    private static StreamingQuery startQuery(DataStreamWriter<Row> writer) {
        try {
            return writer.start();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new dev.kindling.ipp.TransientException("the streaming query did not start in time: " + e.getMessage(), e);
        }
    }

    private void supervise() {
        int failuresInARow = 0;
        Throwable startFailure = null;
        while (!stopping) {
            Throwable failure;
            if (startFailure != null) {
                failure = startFailure;
                startFailure = null;
            } else {
                StreamingQuery main = mainQuery;
                StreamingQuery dead = deadLetterQuery;
                try {
                    while (!stopping && main.isActive() && (dead == null || dead.isActive())) {
                        main.awaitTermination(500);
                    }
                } catch (Exception e) {
                    // awaitTermination rethrows the query's failure; it is read from the query below
                }
                if (stopping) {
                    return;
                }
                failure = main.exception().isDefined() ? main.exception().get()
                        : dead != null && dead.exception().isDefined() ? dead.exception().get() : null;
                stopQuietly(main);
                if (dead != null) {
                    stopQuietly(dead);
                }
                if (stopping) {
                    return;
                }
                if (failure == null) {
                    if (trigger.kind() == StreamTrigger.Kind.AVAILABLE_NOW) {
                        state = RunnerState.COMPLETED;
                        LOG.info("streaming query '{}' processed everything available and stopped", name);
                        closeHelpers();
                        return;
                    }
                    failure = new IllegalStateException("query '" + name + "' was stopped outside the runner");
                }
            }
            lastError = Failures.rootMessage(failure);
            failuresInARow = progressSinceStart ? 1 : failuresInARow + 1;
            if (isConfigurationError(failure)) {
                fail("streaming query '" + name + "' failed with a configuration error; not restarting", failure);
                return;
            }
            if (failuresInARow > maxRestarts) {
                fail("streaming query '" + name + "' failed " + failuresInARow + " time(s) in a row; giving up (max restarts "
                        + maxRestarts + ")", failure);
                return;
            }
            long factor = 1L << Math.min(failuresInARow - 1, 20);
            Duration backoff = initialBackoff.multipliedBy(factor);
            if (backoff.compareTo(maxBackoff) > 0) {
                backoff = maxBackoff;
            }
            state = RunnerState.RESTARTING;
            LOG.warn("streaming query '{}' failed (failure {} in a row); restarting from its checkpoint in {}", name, failuresInARow,
                    backoff, failure);
            synchronized (lock) {
                long deadline = System.nanoTime() + backoff.toNanos();
                try {
                    while (!stopping && System.nanoTime() < deadline) {
                        lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (stopping) {
                return;
            }
            restarts.incrementAndGet();
            if (restartCounter != null) {
                restartCounter.increment();
            }
            try {
                state = RunnerState.STARTING;
                startQueries();
                state = RunnerState.RUNNING;
            } catch (RuntimeException e) {
                if (isConfigurationError(e)) {
                    lastError = Failures.rootMessage(e);
                    fail("streaming query '" + name + "' cannot restart", e);
                    return;
                }
                startFailure = e;
            }
        }
    }

    private void fail(String message, Throwable error) {
        LOG.error(message, error);
        state = RunnerState.FAILED;
        closeHelpers();
    }

    private static boolean isConfigurationError(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigurationException) {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(StreamingQuery q) {
        try {
            q.stop();
        } catch (Exception e) {
            LOG.debug("stopping query {} failed", q.name(), e);
        }
    }

    /**
     * Stops gracefully: waits up to the grace period for a running micro-batch to finish, then stops
     * the queries, the supervisor and the lag poller. Idempotent; safe from any thread.
     */
    public void stop() {
        synchronized (lock) {
            if (stopping) {
                return;
            }
            stopping = true;
            lock.notifyAll();
        }
        long deadline = System.nanoTime() + stopGrace.toNanos();
        for (StreamingQuery q : new StreamingQuery[] {mainQuery, deadLetterQuery}) {
            if (q == null) {
                continue;
            }
            try {
                while (q.isActive() && q.status().isTriggerActive() && System.nanoTime() < deadline) {
                    q.awaitTermination(50);
                }
            } catch (Exception e) {
                LOG.debug("query {} ended while waiting for its batch", q.name(), e);
            }
            stopQuietly(q);
        }
        Thread s = supervisor;
        if (s != null && s != Thread.currentThread()) {
            try {
                s.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeHelpers();
        if (state != RunnerState.FAILED && state != RunnerState.COMPLETED) {
            state = RunnerState.STOPPED;
        }
        LOG.info("streaming query '{}' stopped", name);
    }

    private synchronized void closeHelpers() {
        if (lagPoller != null) {
            lagPoller.shutdownNow();
            lagPoller = null;
        }
        if (kafkaLag != null) {
            kafkaLag.close();
            kafkaLag = null;
        }
        if (listener != null && spark != null) {
            spark.streams().removeListener(listener);
            listener = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Waits until an {@link StreamTrigger#availableNow() available-now} run has completed, or the runner
     * failed or stopped; returns the final state, or the current one after {@code timeout}.
     */
    public RunnerState awaitTermination(Duration timeout) throws InterruptedException {
        Thread s = supervisor;
        if (s != null) {
            s.join(Math.max(1, timeout.toMillis()));
        }
        return state;
    }

    public RunnerState state() {
        return state;
    }

    /** Ready when the queries are running (not starting, restarting, failed or stopped). */
    public boolean isReady() {
        StreamingQuery m = mainQuery;
        StreamingQuery d = deadLetterQuery;
        return state == RunnerState.RUNNING && m != null && m.isActive() && (d == null || d.isActive());
    }

    /** The running main query, if any (for tests and tools). */
    public Optional<StreamingQuery> query() {
        return Optional.ofNullable(mainQuery);
    }

    public RunnerStatus status() {
        StreamingQueryProgress p = lastProgress.get();
        List<RunnerStatus.PartitionLag> lags = new ArrayList<>();
        new java.util.TreeMap<String, long[]>(toKeys(lag)).forEach((k, v) -> {
            int at = k.lastIndexOf('-');
            lags.add(new RunnerStatus.PartitionLag(k.substring(0, at), Integer.parseInt(k.substring(at + 1)), v[0], v[1], v[2]));
        });
        lags.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        StreamingQuery m = mainQuery;
        return new RunnerStatus(name, state, pipeline.source().name(), pipeline.sink().name(),
                deadLetterSink == null ? null : deadLetterSink.name(), trigger.toString(), outputMode,
                m == null ? null : m.id().toString(), restarts.get(), lastError, p == null ? -1 : p.batchId(),
                p == null ? 0 : finite(p.inputRowsPerSecond()), p == null ? 0 : finite(p.processedRowsPerSecond()),
                p == null ? 0 : p.batchDuration(), p == null ? 0 : stateRows(p), inputRows.get(), deadLetters.get(), lags,
                lastProgressAt.get());
    }

    private static Map<String, long[]> toKeys(Map<TopicPartition, long[]> m) {
        Map<String, long[]> out = new HashMap<>();
        m.forEach((tp, v) -> out.put(tp.topic() + "-" + tp.partition(), v));
        return out;
    }

    private static double finite(double d) {
        return Double.isFinite(d) ? d : 0;
    }

    private static long stateRows(StreamingQueryProgress p) {
        long n = 0;
        for (StateOperatorProgress s : p.stateOperators()) {
            n += s.numRowsTotal();
        }
        return n;
    }

    /**
     * Registers the runner's meters, tagged {@code query=NAME}: {@code kindling_streaming_input_rows_per_second},
     * {@code kindling_streaming_processed_rows_per_second}, {@code kindling_streaming_batch_duration_seconds}
     * (a timer), {@code kindling_streaming_state_rows}, {@code kindling_streaming_input_rows_total},
     * {@code kindling_streaming_dead_letters_total}, {@code kindling_streaming_restarts_total},
     * {@code kindling_streaming_up} (1 when ready) and {@code kindling_streaming_kafka_lag} (tags
     * {@code topic}, {@code partition}). Call before {@link #start}.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("query", name);
        this.registry = registry;
        Gauge.builder("kindling.streaming.input.rows.per.second", this, r -> r.status().inputRowsPerSecond()).tags(tags)
                .description("input rows per second in the last micro-batch").register(registry);
        Gauge.builder("kindling.streaming.processed.rows.per.second", this, r -> r.status().processedRowsPerSecond()).tags(tags)
                .description("rows processed per second in the last micro-batch").register(registry);
        Gauge.builder("kindling.streaming.state.rows", this, r -> r.status().stateRows()).tags(tags)
                .description("rows in the query's state stores").register(registry);
        Gauge.builder("kindling.streaming.up", this, r -> r.isReady() ? 1 : 0).tags(tags)
                .description("1 while the query runs").register(registry);
        batchTimer = Timer.builder("kindling.streaming.batch.duration").tags(tags)
                .description("micro-batch duration").register(registry);
        inputRowCounter = Counter.builder("kindling.streaming.input.rows").tags(tags).description("rows read").register(registry);
        deadLetterCounter = Counter.builder("kindling.streaming.dead.letters").tags(tags)
                .description("records that could not be decoded").register(registry);
        restartCounter = Counter.builder("kindling.streaming.restarts").tags(tags).description("restarts after a failure").register(registry);
    }

    private void registerLagGauge(TopicPartition tp) {
        MeterRegistry r = registry;
        if (r != null) {
            Gauge.builder("kindling.streaming.kafka.lag", lag, m -> {
                long[] v = m.get(tp);
                return v == null ? Double.NaN : v[2];
            }).tags("query", name, "topic", tp.topic(), "partition", Integer.toString(tp.partition()))
                    .description("records on the broker the query has not processed yet").register(r);
        }
    }

    private void pollLag() {
        KafkaLag k = kafkaLag;
        if (k == null || processedOffsets.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, Long> latest = k.latestOffsets();
            Map<TopicPartition, Long> processed = new HashMap<>(processedOffsets);
            KafkaLag.lag(latest, processed).forEach((tp, l) -> {
                if (lag.put(tp, new long[] {latest.get(tp), processed.getOrDefault(tp, 0L), l}) == null) {
                    registerLagGauge(tp);
                }
            });
        } catch (RuntimeException e) {
            // The broker may be briefly unreachable; the gauge keeps its last value and the next poll tries again.
            LOG.warn("streaming query '{}': cannot compute the Kafka lag: {}", name, Failures.rootMessage(e));
        }
    }

    private final class ProgressListener extends StreamingQueryListener {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            StreamingQueryProgress p = event.progress();
            if (!name.equals(p.name())) {
                return;
            }
            lastProgress.set(p);
            lastProgressAt.set(Instant.now());
            if (p.numInputRows() > 0 || p.batchDuration() > 0) {
                progressSinceStart = true;
            }
            inputRows.addAndGet(p.numInputRows());
            if (inputRowCounter != null) {
                inputRowCounter.increment(p.numInputRows());
            }
            if (batchTimer != null && p.batchDuration() > 0) {
                batchTimer.record(p.batchDuration(), TimeUnit.MILLISECONDS);
            }
            Row observed = p.observedMetrics().get(DEAD_LETTER_METRIC);
            if (observed != null && !observed.isNullAt(0)) {
                long n = observed.getLong(0);
                deadLetters.addAndGet(n);
                if (deadLetterCounter != null) {
                    deadLetterCounter.increment(n);
                }
            }
            for (SourceProgress s : p.sources()) {
                processedOffsets.putAll(KafkaLag.parseOffsets(s.endOffset()));
            }
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
        }
    }

    /**
     * Builds a {@link StreamingRunner}. Setters reject nulls; {@link #build()} checks the source and
     * sink capabilities (through {@link Pipeline}), the checkpoint and the dead-letter settings.
     */
    public static final class Builder {
        private final String name;
        private Source source;
        private final List<Processor> processors = new ArrayList<>();
        private Sink sink;
        private RecordDecoder decoder = RecordDecoder.none();
        private Sink deadLetters;
        private String checkpoint;
        private StreamTrigger trigger = StreamTrigger.every(Duration.ofSeconds(5));
        private String outputMode = "auto";
        private Duration initialBackoff = StreamingSettings.RESTART_INITIAL_BACKOFF.defaultValue();
        private Duration maxBackoff = StreamingSettings.RESTART_MAX_BACKOFF.defaultValue();
        private int maxRestarts = StreamingSettings.RESTART_MAX_ATTEMPTS.defaultValue();
        private Duration lagInterval = StreamingSettings.LAG_INTERVAL.defaultValue();
        private Duration stopGrace = Duration.ofSeconds(30);

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigurationException("a streaming runner's name must be letters, digits, '_' and '-'; got '" + name + "'");
            }
            this.name = name;
        }

        /** The streaming source (it must be {@link StreamReadable}). Required. */
        public Builder source(Source source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** How the source's {@code value} is decoded; default {@link RecordDecoder#none()}. */
        public Builder decoder(RecordDecoder decoder) {
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            return this;
        }

        /** Appends a processor; they run in order on the decoded, accepted records. */
        public Builder process(Processor processor) {
            processors.add(Objects.requireNonNull(processor, "processor"));
            return this;
        }

        /** The streaming sink (it must be {@link StreamWritable}). Required. */
        public Builder sink(Sink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Where records the decoder rejects go (a stream-writable sink: Kafka gets the original key and
         * value with the error and source position as headers; other sinks get the columns of
         * {@link RecordDecoder#rejected}). Needs a decoder that can reject records and a checkpoint.
         * Unset: rejected records are dropped and counted.
         */
        public Builder deadLetters(Sink sink) {
            this.deadLetters = Objects.requireNonNull(sink, "deadLetters");
            return this;
        }

        /** The checkpoint folder (local path or Hadoop URI); required unless the sink and query need none. */
        public Builder checkpoint(String location) {
            Objects.requireNonNull(location, "checkpoint");
            if (location.isBlank()) {
                throw new ConfigurationException("the checkpoint location must not be blank");
            }
            this.checkpoint = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
            return this;
        }

        /** When micro-batches run; default every 5 seconds. */
        public Builder trigger(StreamTrigger trigger) {
            this.trigger = Objects.requireNonNull(trigger, "trigger");
            return this;
        }

        /** {@code auto} (default: update when the processor aggregates, else append), {@code append}, {@code update} or {@code complete}. */
        public Builder outputMode(String mode) {
            Objects.requireNonNull(mode, "outputMode");
            String m = mode.trim().toLowerCase(java.util.Locale.ROOT);
            if (!m.equals("auto") && !OutputModes.MODES.contains(m)) {
                throw new ConfigurationException("output mode must be auto, append, update or complete; got '" + mode + "'");
            }
            this.outputMode = m;
            return this;
        }

        /** The first restart waits {@code initial}; each further failure in a row doubles it, up to {@code max}. Default 1s, 1m. */
        public Builder restartBackoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new ConfigurationException("restart backoff: initial (" + initial + ") must be >= 0 and max (" + max
                        + ") >= initial");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Restarts in a row without a successful micro-batch before giving up; default 10; 0: never restart. */
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

        /** How long {@link StreamingRunner#stop()} waits for a running micro-batch; default 30s. */
        public Builder stopGrace(Duration grace) {
            this.stopGrace = Objects.requireNonNull(grace, "stopGrace");
            return this;
        }

        /** @throws ConfigurationException naming what is missing or does not fit */
        public StreamingRunner build() {
            Pipeline.Builder pb = Pipeline.builder(PipelineKind.STREAMING).name(name);
            if (source != null) {
                pb.source(source);
            }
            if (sink != null) {
                pb.sink(sink);
            }
            processors.forEach(pb::process);
            Pipeline pipeline = pb.build();
            StreamWritable out = pipeline.sinkAs(StreamWritable.class);
            if (deadLetters != null) {
                if (!(deadLetters instanceof StreamWritable)) {
                    throw new ConfigurationException("dead-letter sink '" + deadLetters.name() + "' of runner '" + name
                            + "' cannot write a stream (it lacks StreamWritable)");
                }
                if (!decoder.canReject()) {
                    throw new ConfigurationException("runner '" + name + "' has a dead-letter sink but decoder 'none', which rejects nothing: "
                            + "set decoder(RecordDecoder.text()) or json(...), or remove deadLetters(...)");
                }
                if (deadLetters.name().equals(sink.name())) {
                    throw new ConfigurationException("runner '" + name + "': the sink and the dead-letter sink are both '" + sink.name()
                            + "'; give dead letters their own topic or table");
                }
            }
            if (checkpoint == null) {
                if (out.needsCheckpoint()) {
                    throw new ConfigurationException("sink '" + sink.name() + "' of runner '" + name + "' needs a checkpoint to keep its "
                            + out.streamGuarantee() + " guarantee: set checkpoint(...) / " + StreamingSettings.CHECKPOINT.name());
                }
                if (deadLetters != null) {
                    throw new ConfigurationException("the dead letters of runner '" + name + "' need a checkpoint: set checkpoint(...) / "
                            + StreamingSettings.CHECKPOINT.name());
                }
            }
            return new StreamingRunner(this, pipeline);
        }
    }
}
