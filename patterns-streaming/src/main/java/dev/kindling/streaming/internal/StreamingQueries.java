package dev.kindling.streaming.internal;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.StreamingPlan;
import dev.kindling.ipp.TransientException;
import dev.kindling.service.Deadline;
import dev.kindling.streaming.StreamTrigger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queries of one runner: the main query and, with a dead-letter sink, the dead-letter query,
 * assembled by core's {@link StreamingPlan} and started, watched and stopped together.
 *
 * <p>{@link #start}, {@link #stopNow} and {@link #stop} are serialised: once {@link #stop} has begun, a
 * {@code start} (a restart on the supervisor's thread) starts nothing. The other methods read
 * volatile fields and may be called from any thread.
 */
public final class StreamingQueries {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingQueries.class);
    private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";

    private final Pipeline pipeline;
    private final String name;
    private final String checkpoint;
    private final StreamTrigger trigger;
    private final String requestedMode;
    private volatile StreamingQuery main;
    private volatile StreamingQuery dead;
    private volatile String outputMode;
    private volatile RealTimeCheck.Choice choice;
    private volatile StreamingPlan plan;
    private final java.util.concurrent.atomic.AtomicLong rejectedBefore = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;

    /** @param checkpoint the checkpoint folder, or null when the query needs none */
    public StreamingQueries(Pipeline pipeline, String checkpoint, StreamTrigger trigger, String outputMode) {
        this.pipeline = pipeline;
        this.name = pipeline.name();
        this.checkpoint = checkpoint;
        this.trigger = trigger;
        this.requestedMode = outputMode;
    }

    /**
     * Assembles the plan (the output mode is checked here) and starts the dead-letter query, then the
     * main query; returns whether they started (false once {@link #stop} has begun).
     *
     * @throws dev.kindling.ipp.ConfigurationException when the plan cannot run: an output mode that does not fit,
     *         a stateful query without a checkpoint, a decoder that does not fit the source
     */
    public synchronized boolean start(SparkSession spark) {
        if (closed) {
            return false;
        }
        StreamingPlan plan = StreamingPlan.of(pipeline, spark, requestedMode);
        RealTimeCheck.Choice c = RealTimeCheck.choose(trigger, pipeline, plan, requestedMode, () -> RealTimeCheck.freeSlots(spark),
                () -> RealTimeCheck.partitions(pipeline));
        if (c.realTime() && !plan.outputMode().equals("update")) {
            plan = StreamingPlan.of(pipeline, spark, "update"); // real-time mode runs in update mode, the same as append for a stateless query
        }
        if (c.reason() != null && !c.reason().equals(choice == null ? null : choice.reason())) {
            LOG.info("streaming query '{}' runs in {}", name, c.reason());
        }
        choice = c;
        StreamingPlan previous = this.plan;
        if (previous != null) {
            rejectedBefore.addAndGet(previous.rejectedCount());
        }
        this.plan = plan;
        DataStreamWriter<Row> mainWriter = plan.mainQuery(name, checkpoint).trigger(c.main().toSpark());
        Optional<DataStreamWriter<Row>> deadWriter = plan.deadLetterQuery(name, checkpoint, c.realTime() && c.dead().realTime());
        StreamingQuery d = deadWriter.isPresent() ? startWriter(deadWriter.get().trigger(c.dead().toSpark())) : null;
        try {
            main = RealTimeCheck.keepsState(plan) ? startWithShufflePartitions(spark, mainWriter) : startWriter(mainWriter);
        } catch (RuntimeException e) {
            if (d != null) {
                stopQuietly(d);
            }
            throw e;
        }
        dead = d;
        outputMode = plan.outputMode();
        LOG.info("streaming query '{}' started: {} -> {} (output mode {}, trigger {}, checkpoint {}{})", name,
                pipeline.source().name(), pipeline.sink().name(), outputMode, c.main(), checkpoint,
                pipeline.deadLetters().map(s -> ", dead letters -> " + s.name()).orElse(""));
        return true;
    }

    /** How many records the decoder has rejected in the main queries started so far (all starts, this one included). */
    public long rejected() {
        StreamingPlan p = plan;
        return rejectedBefore.get() + (p == null ? 0 : p.rejectedCount());
    }

    /**
     * The runner's first start: a single replica starts the queries; a replica with a lease only {@linkplain #check
     * checks} them (it starts them once it holds the lease).
     *
     * @return what a single replica's start threw, to back off from; null when it started (or was checked)
     * @throws RuntimeException a configuration error, and with a lease any error of the check
     */
    public RuntimeException startFirst(SparkSession spark, boolean replicated) {
        if (replicated) {
            check(spark);
            return null;
        }
        try {
            start(spark);
            return null;
        } catch (RuntimeException e) {
            if (dev.kindling.ipp.Failures.isConfiguration(e)) {
                throw e;
            }
            return e;
        }
    }

    /**
     * Assembles the plan without starting anything, so that a standby replica fails its start on a query that
     * cannot run (an output mode that does not fit) as a single replica does.
     *
     * @throws dev.kindling.ipp.ConfigurationException when the plan cannot run
     */
    public void check(SparkSession spark) {
        StreamingPlan plan = StreamingPlan.of(pipeline, spark, requestedMode);
        if (trigger.realTime()) {
            RealTimeCheck.obstacle(pipeline, plan, requestedMode).ifPresent(o -> {
                throw new ConfigurationException("query '" + name + "' cannot run in real-time mode: " + o);
            });
        }
    }

    /**
     * Starts a query that keeps state with {@code spark.sql.shuffle.partitions} set to the task slots (the cores of a
     * local master, the default parallelism of a cluster) unless the session sets it: a new checkpoint keeps the number
     * for good, and Spark's 200 would make every micro-batch run 200 state-store tasks on a two-core service. The
     * query takes its own copy of the session's settings as it starts, so the value is set only around the start.
     * A checkpoint that exists keeps the number it was made with.
     */
    private static StreamingQuery startWithShufflePartitions(SparkSession spark, DataStreamWriter<Row> writer) {
        if (spark.sessionState().conf().contains(SHUFFLE_PARTITIONS)) {
            return startWriter(writer);
        }
        synchronized (spark) {
            spark.conf().set(SHUFFLE_PARTITIONS, RealTimeCheck.totalSlots(spark.sparkContext().master(), spark.sparkContext().defaultParallelism()));
            try {
                return startWriter(writer);
            } finally {
                spark.conf().unset(SHUFFLE_PARTITIONS);
            }
        }
    }

    private static StreamingQuery startWriter(DataStreamWriter<Row> writer) {
        try {
            return writer.start();
        } catch (TimeoutException e) {
            throw new TransientException("the streaming query did not start in time: " + e.getMessage(), e);
        }
    }

    /** Whether every query is active. */
    public boolean running() {
        StreamingQuery m = main;
        StreamingQuery d = dead;
        return m != null && m.isActive() && (d == null || d.isActive());
    }

    /**
     * Waits until a query ends, a stop is requested or {@code keepWaiting} turns false (woken by {@link StopSignal#wake()}
     * when a query terminates or the lease is lost).
     */
    public void awaitEnd(StopSignal signal, BooleanSupplier keepWaiting) throws InterruptedException {
        while (!signal.isRequested() && running() && keepWaiting.getAsBoolean()) {
            signal.await(Duration.ofSeconds(1));
        }
    }

    /** What the ended query died of, or null when it ended without an error. */
    public Throwable failure() {
        for (StreamingQuery q : queries()) {
            if (!q.isActive() && q.exception().isDefined()) {
                return q.exception().get();
            }
        }
        return null;
    }

    /** Stops every query now (after a failure, before a restart). */
    public synchronized void stopNow() {
        queries().forEach(StreamingQueries::stopQuietly);
    }

    /**
     * Stops for good, by {@code deadline}: in each query the micro-batch running now (not the ones after it) may
     * finish within three quarters of the time left, then the query is stopped; each on a thread of its own, so
     * that a query blocked on a dependency that is gone cannot hold the caller past the deadline.
     *
     * @return the queries still stopping at the deadline (empty when all stopped)
     */
    public List<String> stop(Deadline deadline) throws InterruptedException {
        List<StreamingQuery> qs;
        synchronized (this) {
            closed = true;
            qs = queries();
        }
        Deadline batches = Deadline.after(deadline.remaining().multipliedBy(3).dividedBy(4));
        List<Thread> stoppers = new ArrayList<>();
        for (StreamingQuery q : qs) {
            Thread t = new Thread(() -> {
                awaitBatch(q, batches);
                stopQuietly(q); // at once, before the next micro-batch begins
            }, "kindling-" + name + "-stop-" + q.name());
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        List<String> late = new ArrayList<>();
        for (int i = 0; i < stoppers.size(); i++) {
            if (!deadline.join(stoppers.get(i))) {
                late.add("query " + qs.get(i).name());
            }
        }
        return late;
    }

    /** Waits for the micro-batch running now (if any) to end: until the query reports a new progress or goes idle. */
    private void awaitBatch(StreamingQuery q, Deadline batches) {
        StreamingQueryProgress before = q.lastProgress();
        try {
            while (q.isActive() && q.status().isTriggerActive() && q.lastProgress() == before && !batches.expired()) {
                q.awaitTermination(Math.max(1, Math.min(50, batches.remaining().toMillis())));
            }
        } catch (Exception e) { // StreamingQueryException: it ended with an error while we waited; stop() below is a no-op
            LOG.debug("query {} ended while its last micro-batch was awaited", q.name(), e);
        }
    }

    private List<StreamingQuery> queries() {
        List<StreamingQuery> out = new ArrayList<>(2);
        if (main != null) {
            out.add(main);
        }
        if (dead != null) {
            out.add(dead);
        }
        return out;
    }

    private static void stopQuietly(StreamingQuery q) {
        try {
            q.stop();
        } catch (Exception e) { // TimeoutException (spark.sql.streaming.stopTimeout), or an interrupt
            LOG.debug("stopping query {} failed", q.name(), e);
        }
    }

    /** The main query's id (stable across restarts from one checkpoint), or null before the first start. */
    public String queryId() {
        StreamingQuery m = main;
        return m == null ? null : m.id().toString();
    }

    /** The main query's trigger as text: the one it runs with, or before the first start the one asked for. */
    public String triggerInUse() {
        RealTimeCheck.Choice c = choice;
        return c == null ? trigger.toString() : c.main().toString();
    }

    /** Why the trigger {@code auto} chose micro-batches, or null. */
    public String triggerReason() {
        RealTimeCheck.Choice c = choice;
        return c == null ? null : c.reason();
    }

    /** The output mode the queries run in, or null before the first start. */
    public String outputMode() {
        return outputMode;
    }

    /** The main query, or null before the first start. */
    public StreamingQuery main() {
        return main;
    }

    /**
     * Checks that the sink and dead-letter sink of {@code pipeline} keep their guarantee without a checkpoint.
     *
     * @throws ConfigurationException naming the sink that needs one and the setting {@code checkpointSetting}
     */
    public static void requireNoCheckpoint(Pipeline pipeline, String checkpointSetting) {
        List<Map.Entry<String, Sink>> sinks = new ArrayList<>(List.of(Map.entry("sink", pipeline.sink())));
        pipeline.deadLetters().ifPresent(d -> sinks.add(Map.entry("dead-letter sink", d)));
        for (Map.Entry<String, Sink> e : sinks) {
            StreamWritable out = (StreamWritable) e.getValue();
            if (out.needsCheckpoint()) {
                throw new ConfigurationException(e.getKey() + " '" + e.getValue().name() + "' of runner '" + pipeline.name()
                        + "' needs a checkpoint to keep its " + out.streamGuarantee() + " guarantee: set checkpoint(...) / "
                        + checkpointSetting);
            }
        }
    }
}
