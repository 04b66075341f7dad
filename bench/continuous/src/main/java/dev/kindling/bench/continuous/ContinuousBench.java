package dev.kindling.bench.continuous;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
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
import java.time.Instant;
import java.util.Locale;
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
        Instant startedAt = Instant.now();
        System.out.println(Machine.describe());
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
                Alternating.Result cyclesResult = Alternating.of("cycle with 1,000 new rows", "ms")
                        .variant("small", () -> {
                            next[0] = addRows(db, "small_t", next[0], 1000);
                            return timed(small, 1000);
                        })
                        .variant("large", () -> {
                            next[1] = addRows(db, "large_t", next[1], 1000);
                            return timed(large, 1000);
                        })
                        .run(2, cycles);
                double growth = cyclesResult.medianRatio("large", "small");
                System.out.println("1. " + cyclesResult.summary("large", "small") + " (10,000-row and 2,000,000-row tables; goal <= 1.5)");

                Alternating.Result idleResult = Alternating.of("idle cycle (no new rows)", "ms")
                        .variant("small", () -> idle(small))
                        .variant("large", () -> idle(large))
                        .run(0, Math.max(1, idles / 2));
                Map<String, Double> idleMedians = idleResult.medians();
                System.out.printf(Locale.ROOT, "2. idle cycle (no new rows): median %.2f ms on the 10,000-row table, %.2f ms on the 2,000,000-row one%n",
                        idleMedians.get("small"), idleMedians.get("large"));
                service.shutdown();

                RecommenderSchema.create(db);
                new RatingsGenerator(10_000, 2_000, 42).insert(db, 100_000);
                Dataset<Row> ratings = spark.read().jdbc(db.url(), "(SELECT user_id, product_id, rating FROM ratings) AS r", db.properties())
                        .cache();
                long n = ratings.count();
                ALS als = new ALS().setRank(10).setMaxIter(10).setRegParam(0.1).setSeed(42)
                        .setUserCol("user_id").setItemCol("product_id").setRatingCol("rating");
                Alternating.Result alsResult = Alternating.of(String.format(Locale.ROOT, "ALS fit on %,d ratings", n), "ms")
                        .variant("als", () -> {
                            long s = System.nanoTime();
                            als.fit(ratings).userFactors().count();
                            return (System.nanoTime() - s) / 1e6;
                        })
                        .run(1, alsRuns);
                double alsMs = alsResult.medians().get("als");
                System.out.printf(Locale.ROOT, "3. ALS fit (rank 10, 10 iterations, 10,000 users x 2,000 products) on %,d ratings: median %.0f ms = %.1f s per 100,000 ratings%n",
                        n, alsMs, alsMs / 1000.0 * 100_000 / n);

                BenchResultFile result = new BenchResultFile("continuous", "Continuous batch: cycle cost against table size, idle cycle, ALS fit",
                        "mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.args=\"" + cycles + " " + idles + " " + alsRuns + "\"",
                        startedAt, spark.version())
                        .parameter("cycles", cycles).parameter("idleCycles", idles).parameter("alsFits", alsRuns);
                result.measurement("cycle", cyclesResult).ratio("large / small table", growth, "<= 1.5", growth <= 1.5);
                result.measurement("idle", idleResult);
                result.measurement("als", alsResult);
                System.out.println("written to " + result.write());
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

    /** One idle cycle's time in milliseconds: no new rows, so no Spark job. */
    private static double idle(ContinuousRunner runner) {
        long s = System.nanoTime();
        require(runner.runOnce(), CycleOutcome.IDLE);
        return (System.nanoTime() - s) / 1e6;
    }

    private static CycleReport require(CycleReport r, CycleOutcome expected) {
        if (r.outcome() != expected) {
            throw new IllegalStateException("expected a " + expected + " cycle, got " + r);
        }
        return r;
    }
}
