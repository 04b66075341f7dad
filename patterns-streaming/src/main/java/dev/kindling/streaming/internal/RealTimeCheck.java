package dev.kindling.streaming.internal;

import dev.kindling.connect.KafkaSource;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.StreamingPlan;
import dev.kindling.streaming.StreamTrigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * Decides whether a query runs in Spark's real-time mode: for {@link StreamTrigger.Kind#AUTO} it picks real-time
 * mode when the query allows it and micro-batches otherwise (with the reason), for {@link StreamTrigger.Kind#REAL_TIME}
 * it refuses a query that does not allow it, naming why. A query allows it when its source and sink can run in
 * real-time mode, it is stateless (no aggregation, deduplication, stream-stream join, limit, sort or watermark), its
 * output mode is {@code update} or {@code auto}, and enough task slots are free: one per input partition for the main
 * query, as many again for a dead-letter query whose sink runs in real-time mode, or one for a dead-letter query that
 * runs in micro-batches.
 */
public final class RealTimeCheck {
    /** The logical operators that keep state in a streaming query, or that real-time mode does not run. */
    private static final Set<String> STATEFUL = Set.of("Aggregate", "Distinct", "Deduplicate", "DeduplicateWithinWatermark",
            "FlatMapGroupsWithState", "FlatMapGroupsInPandasWithState", "TransformWithState", "TransformWithStateInPySpark",
            "GlobalLimit", "LocalLimit", "Sort", "Window", "EventTimeWatermark");
    /** Spark's setting of the shortest real-time batch, which the checkpoint interval may not undercut. */
    static final String MIN_BATCH = "spark.sql.streaming.realTimeMode.minBatchDuration";
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[(\\d+),\\s*(\\d+),\\s*\\d+]");

    /**
     * What the queries run with.
     *
     * @param main   the main query's trigger (never {@code AUTO})
     * @param dead   the dead-letter query's trigger (never {@code AUTO}): real-time only when the main query runs in
     *               real-time mode and the dead-letter sink can
     * @param reason why {@code AUTO} chose micro-batches, or null
     */
    public record Choice(StreamTrigger main, StreamTrigger dead, String reason) {
        /** Whether the main query runs in real-time mode. */
        public boolean realTime() {
            return main.realTime();
        }
    }

    private RealTimeCheck() {
    }

    /**
     * Chooses the triggers of {@code pipeline}'s queries.
     *
     * @param plan          the plan assembled with {@code requestedMode}
     * @param freeSlots     the task slots free now, asked only when everything else allows real-time mode
     * @param partitions    the source's input partitions, asked only when everything else allows real-time mode
     * @throws ConfigurationException when real-time mode was asked for and the query does not allow it
     */
    public static Choice choose(StreamTrigger asked, Pipeline pipeline, StreamingPlan plan, String requestedMode,
                                IntSupplier freeSlots, IntSupplier partitions) {
        if (asked.kind() != StreamTrigger.Kind.REAL_TIME && asked.kind() != StreamTrigger.Kind.AUTO) {
            return new Choice(asked, asked, null);
        }
        Optional<String> obstacle = obstacle(pipeline, plan, requestedMode);
        long minMs = minBatchMs(plan.result().sparkSession());
        if (obstacle.isEmpty() && asked.interval().toMillis() < minMs) {
            obstacle = Optional.of("its checkpoint interval " + asked.interval().toMillis() + "ms is below Spark's minimum of " + minMs
                    + "ms (" + MIN_BATCH + ")");
        }
        boolean deadRealTime = pipeline.deadLetters().map(d -> ((StreamWritable) d).supportsRealTime()).orElse(false);
        if (obstacle.isEmpty()) {
            int parts = partitions.getAsInt();
            int needed = parts + (pipeline.deadLetters().isEmpty() ? 0 : deadRealTime ? parts : 1);
            int free = freeSlots.getAsInt();
            if (needed > free) {
                obstacle = Optional.of("it needs " + needed + " free task slots (" + slotsText(pipeline, parts, deadRealTime)
                        + ") and " + free + " are free");
            }
        }
        if (obstacle.isPresent()) {
            if (asked.kind() == StreamTrigger.Kind.REAL_TIME) {
                throw new ConfigurationException("query '" + pipeline.name() + "' cannot run in real-time mode: " + obstacle.get()
                        + "; use the trigger 'auto' to fall back to micro-batches, or a micro-batch interval");
            }
            StreamTrigger micro = asked.resolve(false);
            return new Choice(micro, micro, "micro-batches every " + micro + ", not real-time mode: " + obstacle.get());
        }
        StreamTrigger rt = StreamTrigger.realTime(asked.interval());
        return new Choice(rt, deadRealTime ? rt : StreamTrigger.every(asked.interval()), null);
    }

    /** Spark's shortest real-time batch, {@value #MIN_BATCH} (5 s unless the session sets it). */
    static long minBatchMs(SparkSession spark) {
        return org.apache.spark.network.util.JavaUtils.timeStringAsMs(spark.conf().get(MIN_BATCH, "5000ms"));
    }

    private static String slotsText(Pipeline pipeline, int parts, boolean deadRealTime) {
        String main = "one per input partition: " + parts;
        if (pipeline.deadLetters().isEmpty()) {
            return main;
        }
        return main + (deadRealTime ? ", and as many for the dead-letter query" : ", and one for the dead-letter query's micro-batches");
    }

    /** What keeps the query out of real-time mode, slots aside. */
    static Optional<String> obstacle(Pipeline pipeline, StreamingPlan plan, String requestedMode) {
        if (!pipeline.sourceAs(StreamReadable.class).supportsRealTime()) {
            return Optional.of("its source " + pipeline.source().name() + " cannot be read in real-time mode (Kafka can)");
        }
        Sink sink = pipeline.sink();
        if (!((StreamWritable) sink).supportsRealTime()) {
            return Optional.of("its sink " + sink.name() + " cannot be written in real-time mode (Kafka can)");
        }
        String mode = requestedMode.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("update")) {
            return Optional.of("it runs in update mode only, and output mode '" + mode + "' was asked for");
        }
        List<String> stateful = new ArrayList<>();
        statefulOperators(plan.result().queryExecution().analyzed(), stateful);
        if (!stateful.isEmpty()) {
            return Optional.of("it runs stateless queries only, and this one keeps state in " + String.join(", ", stateful));
        }
        return Optional.empty();
    }

    /** Whether the query has an operator that keeps state (an aggregation, deduplication, stream-stream join, ...). */
    public static boolean keepsState(StreamingPlan plan) {
        List<String> stateful = new ArrayList<>();
        statefulOperators(plan.result().queryExecution().analyzed(), stateful);
        return !stateful.isEmpty();
    }

    private static void statefulOperators(LogicalPlan node, List<String> out) {
        String name = node.getClass().getSimpleName();
        boolean streamStream = node instanceof Join j && j.left().isStreaming() && j.right().isStreaming();
        if (STATEFUL.contains(name) || streamStream) {
            String text = (node.nodeName() + " " + node.argString(3)).replaceAll("#\\d+L?", "").replace('\n', ' ').trim();
            out.add(streamStream ? "a stream-stream join (" + text + ")" : "the operator " + (text.length() > 120 ? text.substring(0, 120) + "..." : text));
        }
        scala.collection.Iterator<LogicalPlan> children = node.children().iterator();
        while (children.hasNext()) {
            statefulOperators(children.next(), out);
        }
    }

    /**
     * The task slots free now: the cores of a local master ({@code local[N]}, {@code local[*]}) or Spark's default
     * parallelism on a cluster (the executors' cores, unless {@code spark.default.parallelism} is set), less the tasks
     * running now.
     */
    public static int freeSlots(SparkSession spark) {
        SparkContext sc = spark.sparkContext();
        int running = 0;
        for (int stage : sc.statusTracker().getActiveStageIds()) {
            scala.Option<SparkStageInfo> info = sc.statusTracker().getStageInfo(stage);
            if (info.isDefined()) {
                running += info.get().numActiveTasks();
            }
        }
        return Math.max(0, totalSlots(sc.master(), sc.defaultParallelism()) - running);
    }

    /** The task slots of a Spark master: {@code local[N]} has N, a cluster its default parallelism. */
    public static int totalSlots(String master, int defaultParallelism) {
        Matcher local = LOCAL.matcher(master.trim());
        if (local.matches()) {
            String n = local.group(1);
            return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(master.trim());
        if (cluster.matches()) {
            return Integer.parseInt(cluster.group(1)) * Integer.parseInt(cluster.group(2));
        }
        return defaultParallelism;
    }

    /** The input partitions of the source: the partitions of its Kafka topics, asked of the broker. */
    public static int partitions(Pipeline pipeline) {
        if (pipeline.source() instanceof KafkaSource kafka) {
            try (KafkaLag admin = new KafkaLag(kafka.bootstrapServers(), kafka.topics(), kafka.options())) {
                return admin.latestOffsets().size();
            }
        }
        return 1;
    }
}
