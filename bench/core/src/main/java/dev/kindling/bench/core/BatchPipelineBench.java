package dev.kindling.bench.core;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.WriteResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The same batch pipeline — generate N rows, keep every third, aggregate into 1,000 buckets, write
 * Parquet — written with Kindling and in plain Spark, run alternately in one JVM on one warm
 * session; prints each round and the median ratio Kindling / plain.
 *
 * <pre>
 * mvn -B -q -pl bench/core -am install -DskipTests
 * mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args="20000000 9"
 * </pre>
 *
 * <p>Arguments: rows (default 20,000,000) and measured rounds per variant (default 9, after 2
 * warm-up rounds each). The order alternates every round (K,P then P,K) so drift affects both
 * ({@link Alternating}); the result goes to {@code bench/results/core.json}.
 */
public final class BatchPipelineBench {
    private BatchPipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        if (rows < 1 || rounds < 1) {
            System.err.println("usage: BatchPipelineBench [ROWS >= 1] [ROUNDS >= 1]");
            System.exit(2);
        }
        Instant startedAt = Instant.now();
        Path dir = Files.createTempDirectory("kindling-bench-");
        SparkSession spark = SparkSession.builder().master("local[*]").appName("bench-core")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            String kindlingOut = dir.resolve("kindling").toString();
            String plainOut = dir.resolve("plain").toString();
            Pipeline pipeline = Pipeline.builder(PipelineKind.BATCH)
                    .name("bench")
                    .source(Connectors.builtIn().source("range:0.." + rows + "?partitions=4"))
                    .process(Processor.filter("id % 3 = 0"))
                    .process(Processor.sql("SELECT id % 1000 AS bucket, count(*) AS n, sum(id) AS total FROM input GROUP BY id % 1000"))
                    .sink(Connectors.builtIn().sink("file:" + kindlingOut, Map.of("format", "parquet", "mode", "overwrite")))
                    .build();
            Runnable kindling = () -> {
                WriteResult r = pipeline.runBatch(spark, 0);
                if (r.rowsWritten() != Math.min(1000, (rows + 2) / 3)) {
                    throw new IllegalStateException("unexpected row count " + r.rowsWritten());
                }
            };
            Runnable plain = () -> spark.range(0, rows, 1, 4).toDF()
                    .filter("id % 3 = 0")
                    .groupBy(functions.expr("id % 1000").as("bucket"))
                    .agg(functions.count(functions.lit(1)).as("n"), functions.sum("id").as("total"))
                    .write().mode("overwrite").parquet(plainOut);

            System.out.println(Machine.describe());
            Alternating.Result r = Alternating.of(String.format(Locale.ROOT, "%,d-row batch pipeline", rows), "ms")
                    .variant("kindling", () -> time(kindling))
                    .variant("plain", () -> time(plain))
                    .run(2, rounds);
            double ratio = r.medianRatio("kindling", "plain");
            System.out.println(r.summary("kindling", "plain") + " (goal <= 1.02)");
            BenchResultFile result = new BenchResultFile("core", "Kindling vs plain Spark, batch pipeline",
                    "mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args=\"" + rows + " " + rounds + "\"", startedAt, spark.version())
                    .parameter("rows", rows).parameter("rounds", rounds);
            result.measurement("pipeline", r).ratio("median of per-round ratios kindling / plain", ratio, "<= 1.02", ratio <= 1.02);
            System.out.println("written to " + result.write());
        } finally {
            spark.stop();
        }
    }

    private static double time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1e6;
    }
}
