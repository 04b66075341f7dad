package dev.kindling.bench.streaming;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.streaming.QueryableTable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * Does a queryable table's micro-batch cost follow the batch or the table? Two real streaming queries,
 * each a file source of {@code (key STRING, count BIGINT)} Parquet files written into a table keyed by
 * {@code key}: one table of 1,000,000 keys, one of 1,000, each batch changing 100 existing keys. The
 * measured time is the sink's part of each micro-batch (Spark's {@code addBatch} duration: the
 * table collecting the batch, merging it and writing it durably); the whole trigger is recorded too.
 * The two tables alternate ({@link Alternating}); each round is the mean of several batches, so a
 * background compaction falls into the rounds at its real rate.
 *
 * <p>It also measures the heap one row of the big table holds in the driver: heap used after a full
 * collection, before and after the first batch loads the 1,000,000 keys, divided by the keys.
 *
 * <pre>
 * mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.streaming.TableBench \
 *     -Dbench.args="ROUNDS BATCHES BIG SMALL CHANGED"       (defaults 9 10 1000000 1000 100)
 * </pre>
 *
 * <p>The result goes to {@code bench/results/streaming-table.json}.
 */
public final class TableBench {
    private static final StructType SCHEMA = StructType.fromDDL("key STRING, count BIGINT");
    private static final Map<UUID, BlockingQueue<StreamingQueryProgress>> PROGRESS = new java.util.concurrent.ConcurrentHashMap<>();

    private TableBench() {
    }

    /** One table under test: its input folder, its query and the batches it has run. */
    private static final class Subject {
        final String name;
        final int keys;
        final Path input;
        final Path checkpoint;
        StreamingQuery query;
        long batches;
        long fileNumber;
        final List<Double> triggers = new ArrayList<>();

        Subject(String name, int keys, Path work) {
            this.name = name;
            this.keys = keys;
            this.input = work.resolve(name + "-input");
            this.checkpoint = work.resolve(name + "-checkpoint");
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int batchesPerRound = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int big = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int small = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        int changed = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        Instant startedAt = Instant.now();
        System.out.println(Machine.describe());
        Path work = Files.createTempDirectory("kindling-bench-table-");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-table")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        // a 50 ms trigger that a 1,000,000-key batch overruns would warn on every batch
        org.apache.logging.log4j.core.config.Configurator.setLevel(
                "org.apache.spark.sql.execution.streaming.runtime.ProcessingTimeExecutor", org.apache.logging.log4j.Level.ERROR);
        spark.streams().addListener(new ProgressQueues());
        // made now, so that the load average it records is the one at the start
        BenchResultFile file = new BenchResultFile("streaming-table", "Queryable table: micro-batch cost of a 1M-key table vs a 1k-key table",
                "mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.streaming.TableBench -Dbench.args=\""
                        + rounds + " " + batchesPerRound + " " + big + " " + small + " " + changed + "\"", startedAt, spark.version())
                .parameter("rounds", rounds).parameter("batchesPerRound", batchesPerRound).parameter("bigKeys", big)
                .parameter("smallKeys", small).parameter("changedKeysPerBatch", changed);

        Subject bigTable = new Subject("big", big, work);
        Subject smallTable = new Subject("small", small, work);
        start(spark, smallTable, work);
        long before = heapAfterGc();
        start(spark, bigTable, work);
        long after = heapAfterGc();
        double bytesPerRow = (after - before) / (double) big;
        System.out.printf(Locale.ROOT, "heap held by the %,d-row table: %,d bytes, %.0f bytes per row%n", big, after - before, bytesPerRow);

        String bigName = String.format(Locale.ROOT, "%,d keys", big);
        String smallName = String.format(Locale.ROOT, "%,d keys", small);
        Alternating.Result r = Alternating.of(String.format(Locale.ROOT, "sink time of a micro-batch changing %d keys", changed), "ms")
                .variant(bigName, () -> round(spark, bigTable, work, changed, batchesPerRound))
                .variant(smallName, () -> round(spark, smallTable, work, changed, batchesPerRound))
                .run(1, rounds);
        double ratio = r.medianRatio(bigName, smallName);
        System.out.println(r.summary(bigName, smallName) + " (goal <= 1.5)");
        Map<String, Double> triggerMedians = new LinkedHashMap<>();
        triggerMedians.put(bigName, Alternating.median(bigTable.triggers));
        triggerMedians.put(smallName, Alternating.median(smallTable.triggers));
        System.out.printf(Locale.ROOT, "whole micro-batch (triggerExecution), median of %d batches: %s%n", bigTable.triggers.size(), triggerMedians);

        file.parameter("bytesPerRow", String.format(Locale.ROOT, "%.0f", bytesPerRow));
        file.measurement("sink", r).ratio("big / small", ratio, "<= 1.5", ratio <= 1.5);
        file.measurement("trigger", "whole micro-batch (median of every batch)", "ms", List.of(bigName, smallName),
                List.of(triggerMedians), triggerMedians);
        System.out.println("written to " + file.write());
        bigTable.query.stop();
        smallTable.query.stop();
        spark.stop();
    }

    /** Writes the table's first batch (every key), starts its query and waits until that batch is applied. */
    private static void start(SparkSession spark, Subject s, Path work) throws Exception {
        Files.createDirectories(s.input);
        Dataset<Row> all = spark.range(s.keys).selectExpr("concat('key-', CAST(id AS STRING)) AS key", "id AS count");
        publish(all, s, work);
        QueryableTable table = QueryableTable.keyedBy("bench_" + s.name, "key");
        table.prepare(spark, SCHEMA, "update", s.checkpoint.toString());
        Dataset<Row> stream = spark.readStream().schema(SCHEMA).parquet(s.input.toString());
        s.query = table.writeStream(stream).outputMode("update").trigger(Trigger.ProcessingTime(50, TimeUnit.MILLISECONDS))
                .option("checkpointLocation", s.checkpoint.resolve("query").toString()).start();
        PROGRESS.computeIfAbsent(s.query.id(), id -> new LinkedBlockingQueue<>());
        nextProgress(s);
        if (table.rows().size() != s.keys) {
            throw new IllegalStateException("table " + s.name + " holds " + table.rows().size() + " rows, not " + s.keys);
        }
        System.out.printf(Locale.ROOT, "table %s loaded: %,d keys%n", s.name, s.keys);
    }

    /** The mean sink time, in ms, of {@code batches} micro-batches of {@code changed} updated keys each. */
    private static double round(SparkSession spark, Subject s, Path work, int changed, int batches) throws Exception {
        double total = 0;
        for (int b = 0; b < batches; b++) {
            long batch = s.batches + 1;
            long stride = Math.max(1, s.keys / changed);
            long offset = batch % stride;
            Dataset<Row> update = spark.range(changed).selectExpr(
                    "concat('key-', CAST(((id * " + stride + " + " + offset + ") % " + s.keys + ") AS STRING)) AS key",
                    batch + " AS count");
            publish(update, s, work);
            StreamingQueryProgress p = nextProgress(s);
            total += p.durationMs().get("addBatch");
            s.triggers.add(p.durationMs().get("triggerExecution").doubleValue());
        }
        return total / batches;
    }

    /** Writes {@code rows} as one Parquet file outside the input folder, then moves it in whole. */
    private static void publish(Dataset<Row> rows, Subject s, Path work) throws IOException {
        Path staging = work.resolve("staging-" + s.name + "-" + s.fileNumber++);
        rows.coalesce(1).write().parquet(staging.toString());
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList()) {
                Files.move(f, s.input.resolve(s.fileNumber + "-" + f.getFileName()));
            }
        }
    }

    /** Waits for the next finished micro-batch that read rows, and counts it. */
    private static StreamingQueryProgress nextProgress(Subject s) throws InterruptedException {
        BlockingQueue<StreamingQueryProgress> queue = PROGRESS.get(s.query.id());
        while (true) {
            StreamingQueryProgress p = queue.poll(5, TimeUnit.MINUTES);
            if (p == null) {
                throw new IllegalStateException("no micro-batch of table " + s.name + " in 5 minutes: " + s.query.exception());
            }
            if (p.numInputRows() > 0) {
                s.batches++;
                return p;
            }
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Hands each query's progress to the queue of that query. */
    private static final class ProgressQueues extends StreamingQueryListener {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {
            PROGRESS.computeIfAbsent(event.id(), id -> new LinkedBlockingQueue<>());
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            PROGRESS.computeIfAbsent(event.progress().id(), id -> new LinkedBlockingQueue<>()).add(event.progress());
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
            // nothing to hand on
        }
    }
}
