package dev.kindling.bench.continuous;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The recommender's ALS fit with native BLAS against BLAS written in Java, side by side in one run. The
 * BLAS is chosen once per JVM, so each round starts two child JVMs one after the other (alternating which
 * goes first), on the same classpath and JVM options: one as the machine has it, one with native BLAS
 * switched off ({@code -Ddev.ludovic.netlib.blas.allowNative=false}). Each child fits ALS (rank 10, 10
 * iterations, regParam 0.1, the recommender's defaults) on 100,000 generated ratings (10,000 users x
 * 2,000 products), once to warm up and then {@code fits} times, and reports every fit; a round's value is
 * the median of its child's fits ({@link Alternating}). The result goes to {@code bench/results/continuous-blas.json}.
 *
 * <pre>
 * mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.continuous.BlasBench -Dbench.args="3 3"
 *                                                       # rounds, timed fits per child
 * </pre>
 *
 * <p>Without a native {@code libblas.so.3} (Debian: {@code apt-get install libopenblas0}) both children use
 * Java BLAS and the ratio is about 1: the first line says which BLAS each child used.
 */
public final class BlasBench {
    private static final long RATINGS = 100_000;

    private BlasBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int fits = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Instant startedAt = Instant.now();
        System.out.printf("BLAS bench: %d rounds x %d fits per child; %s%n", rounds, fits, Machine.describe());
        Map<String, String> used = new TreeMap<>();
        Alternating.Result r = Alternating.of(String.format(Locale.ROOT, "ALS fit on %,d ratings", RATINGS), "ms")
                .variant("native", () -> medianFit("native", fits, used))
                .variant("java", () -> medianFit("java", fits, used))
                .run(0, rounds);
        double ratio = r.medianRatio("native", "java");
        System.out.println(r.summary("native", "java") + "; native BLAS: " + used.get("native") + ", Java BLAS: " + used.get("java"));
        BenchResultFile result = new BenchResultFile("continuous-blas", "ALS fit: native BLAS vs BLAS written in Java",
                "mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.main=" + BlasBench.class.getName()
                        + " -Dbench.args=\"" + rounds + " " + fits + "\"", startedAt, org.apache.spark.package$.MODULE$.SPARK_VERSION())
                .parameter("ratings", RATINGS).parameter("rounds", rounds).parameter("fitsPerChild", fits)
                .parameter("nativeBlas", used.get("native")).parameter("javaBlas", used.get("java"));
        result.measurement("als-fit", r).ratio("median of per-round ratios native / java", ratio, null, null);
        System.out.println("written to " + result.write());
    }

    /** Runs one child of {@code mode} and returns the median of its fits; records which BLAS it used. */
    private static double medianFit(String mode, int fits, Map<String, String> used) throws IOException, InterruptedException {
        Child c = run(mode, fits);
        used.put(mode, c.blas());
        return Alternating.median(c.fitMs().stream().map(Long::doubleValue).toList());
    }

    private record Child(String blas, List<Long> fitMs) {
    }

    private static Child run(String mode, int fits) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (mode.equals("java")) {
            for (String lib : List.of("blas", "lapack", "arpack")) {
                cmd.add("-Ddev.ludovic.netlib." + lib + ".allowNative=false");
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BlasBench.class.getName(), "child", Integer.toString(fits)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String blas = "?";
        List<Long> fitMs = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("blas=")) {
                    blas = line.substring("blas=".length());
                } else if (line.startsWith("fit-ms=")) {
                    fitMs.add(Long.parseLong(line.substring("fit-ms=".length())));
                }
            }
        }
        if (p.waitFor() != 0 || fitMs.size() != fits) {
            throw new IllegalStateException("the " + mode + " child failed (exit " + p.exitValue() + ", " + fitMs.size() + " fits)");
        }
        return new Child(blas, fitMs);
    }

    /** One child: its BLAS, then the timed fits, one line each. */
    private static void child(int fits) {
        System.out.println("blas=" + dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName());
        SparkSession spark = SparkSession.builder().master("local[2]").appName("blas-bench").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        try {
            Dataset<Row> ratings = spark.range(RATINGS).selectExpr("CAST(pmod(hash(id, 1), 10000) AS INT) AS user_id",
                    "CAST(pmod(hash(id, 2), 2000) AS INT) AS product_id", "CAST(1 + pmod(hash(id, 3), 5) AS FLOAT) AS rating").cache();
            ratings.count();
            ALS als = new ALS().setRank(10).setMaxIter(10).setRegParam(0.1).setSeed(42)
                    .setUserCol("user_id").setItemCol("product_id").setRatingCol("rating");
            als.fit(ratings).userFactors().count(); // warm-up
            for (int i = 0; i < fits; i++) {
                long s = System.nanoTime();
                als.fit(ratings).userFactors().count();
                System.out.println("fit-ms=" + (System.nanoTime() - s) / 1_000_000);
            }
        } finally {
            spark.stop();
        }
    }
}
