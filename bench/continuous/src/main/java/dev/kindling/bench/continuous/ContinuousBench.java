package dev.kindling.bench.continuous;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.continuous.FileWatermarkStore;
import dev.kindling.examples.recommender.RatingsGenerator;
import dev.kindling.examples.recommender.RecommenderSchema;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.KindlingService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Three measurements of the continuous-batch pattern, in one JVM, variants alternated:
 *
 * <ol>
 *   <li>a cycle with 1,000 new rows over a 10,000-row table vs over a 2,000,000-row table
 *       (JDBC source with watermark column {@code id}, SQL processor, per-batch Parquet sink);</li>
 *   <li>an idle cycle (no new rows) in milliseconds;</li>
 *   <li>ALS training (rank 10, 10 iterations) on 100,000 generated ratings.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -f bench/continuous/pom.xml compile exec:exec                      # defaults
 * mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.args="9 50 3" # cycles per table, idle cycles, ALS runs
 * </pre>
 *
 * Prints medians and the ratio; an embedded PostgreSQL and local[2] Spark, both in this process's machine.
 * The two runners are components of one {@code KindlingService} (port 0, started paused), so a
 * measured cycle is exactly what {@code runOnce()} runs in a service.
 */
public final class ContinuousBench {
    private ContinuousBench() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int idles = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int alsRuns = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path tmp = Files.createTempDirectory("kindling-bench-continuous-");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            JdbcEndpoint db = new JdbcEndpoint("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null);
            SparkSession spark = SparkSession.builder().master("local[2]").appName("continuous-bench")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
            try {
                long t0 = System.nanoTime();
                createTable(db, "small_t", 10_000);
                createTable(db, "large_t", 2_000_000);
                System.out.printf("tables created in %.1f s (10,000 and 2,000,000 rows, generate_series)%n", (System.nanoTime() - t0) / 1e9);

                ContinuousRunner small = runner(db, "small_t", tmp);
                ContinuousRunner large = runner(db, "large_t", tmp);
                // both runners in one service on the bench's session, paused: only runOnce() runs cycles
                KindlingService service = KindlingService.builder("continuous-bench")
                        .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                        .spark(spark)
                        .component(small)
                        .component(large)
                        .start();
                // first cycles read the whole tables (the backlog); then warm-up cycles of 1,000 rows
                require(small.runOnce(), CycleOutcome.PUBLISHED);
                require(large.runOnce(), CycleOutcome.PUBLISHED);
                long[] next = {10_000, 2_000_000};
                for (int w = 0; w < 2; w++) {
                    next[0] = addRows(db, "small_t", next[0], 1000);
                    require(small.runOnce(), CycleOutcome.PUBLISHED);
                    next[1] = addRows(db, "large_t", next[1], 1000);
                    require(large.runOnce(), CycleOutcome.PUBLISHED);
                }
                List<Long> smallMs = new ArrayList<>();
                List<Long> largeMs = new ArrayList<>();
                for (int i = 0; i < cycles; i++) {
                    boolean smallFirst = i % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        boolean doSmall = (k == 0) == smallFirst;
                        if (doSmall) {
                            next[0] = addRows(db, "small_t", next[0], 1000);
                            smallMs.add(timed(small, 1000));
                        } else {
                            next[1] = addRows(db, "large_t", next[1], 1000);
                            largeMs.add(timed(large, 1000));
                        }
                    }
                }
                double ms = median(smallMs);
                double ml = median(largeMs);
                System.out.printf("1. cycle with 1,000 new rows: 10,000-row table median %.0f ms %s; 2,000,000-row table median %.0f ms %s; ratio large/small %.2f%n",
                        ms, smallMs, ml, largeMs, ml / ms);

                List<Long> idleMs = new ArrayList<>();
                for (int i = 0; i < idles; i++) {
                    long s = System.nanoTime();
                    require(i % 2 == 0 ? large.runOnce() : small.runOnce(), CycleOutcome.IDLE);
                    idleMs.add((System.nanoTime() - s) / 1_000);
                }
                System.out.printf("2. idle cycle (no new rows): median %.2f ms (min %.2f, max %.2f; %d cycles over both tables)%n",
                        median(idleMs) / 1000.0, Collections.min(idleMs) / 1000.0, Collections.max(idleMs) / 1000.0, idles);
                service.shutdown();

                RecommenderSchema.create(db);
                new RatingsGenerator(10_000, 2_000, 42).insert(db, 100_000);
                Dataset<Row> ratings = spark.read().jdbc(db.url(), "(SELECT user_id, product_id, rating FROM ratings) AS r", db.properties())
                        .cache();
                long n = ratings.count();
                ALS als = new ALS().setRank(10).setMaxIter(10).setRegParam(0.1).setSeed(42)
                        .setUserCol("user_id").setItemCol("product_id").setRatingCol("rating");
                als.fit(ratings); // warm-up
                List<Long> alsMs = new ArrayList<>();
                for (int i = 0; i < alsRuns; i++) {
                    long s = System.nanoTime();
                    als.fit(ratings).userFactors().count();
                    alsMs.add((System.nanoTime() - s) / 1_000_000);
                }
                System.out.printf("3. ALS fit (rank 10, 10 iterations, 10,000 users x 2,000 products) on %,d ratings: median %.0f ms %s = %.1f s per 100,000 ratings%n",
                        n, median(alsMs), alsMs, median(alsMs) / 1000.0 * 100_000 / n);
            } finally {
                spark.stop();
            }
        }
    }

    private static ContinuousRunner runner(JdbcEndpoint db, String table, Path tmp) {
        Connectors c = Connectors.builtIn();
        Pipeline p = Pipeline.builder(PipelineKind.INCREMENTAL).name(table)
                .source(c.source(db.url() + "?table=" + table + "&watermarkColumn=id&user=postgres"))
                .process(Processor.sql("SELECT id, category, value * 2 AS doubled FROM input"))
                .sink(c.sink("file:" + tmp.resolve(table) + "?format=parquet&perBatch=true"))
                .build();
        return ContinuousRunner.builder(p).watermarkStore(new FileWatermarkStore(tmp.resolve(table + ".watermark"))).startPaused(true)
                .routePrefix("/" + table)
                .build();
    }

    private static void createTable(JdbcEndpoint db, String table, long rows) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, category INT NOT NULL, value DOUBLE PRECISION NOT NULL, "
                    + "note TEXT NOT NULL)");
            s.execute("INSERT INTO " + table + " SELECT g, g % 100, g * 0.5, md5(g::text) FROM generate_series(1, " + rows + ") AS g");
            s.execute("ANALYZE " + table);
        }
    }

    private static long addRows(JdbcEndpoint db, String table, long after, int count) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + table + " SELECT g, g % 100, g * 0.5, md5(g::text) FROM generate_series(" + (after + 1) + ", "
                    + (after + count) + ") AS g");
        }
        return after + count;
    }

    private static long timed(ContinuousRunner runner, long expectedRows) {
        long s = System.nanoTime();
        CycleReport r = require(runner.runOnce(), CycleOutcome.PUBLISHED);
        long ms = (System.nanoTime() - s) / 1_000_000;
        if (r.rowsWritten() != expectedRows) {
            throw new IllegalStateException("expected " + expectedRows + " rows, the sink wrote " + r.rowsWritten());
        }
        return ms;
    }

    private static CycleReport require(CycleReport r, CycleOutcome expected) {
        if (r.outcome() != expected) {
            throw new IllegalStateException("expected a " + expected + " cycle, got " + r);
        }
        return r;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
