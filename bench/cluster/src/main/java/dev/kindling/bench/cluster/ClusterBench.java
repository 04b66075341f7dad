package dev.kindling.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.examples.sparkpi.SparkPi;
import dev.kindling.examples.sparkpi.SparkPiApp;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;

/**
 * Dynamic allocation on a real standalone cluster (a master and two 1-core workers from the testkit): the SparkPi
 * service, packaged (its app jar), with {@code SPARK_MASTER=spark://...} and Kindling's defaults on a cluster.
 * Each round: a warm request (executors held), then the wait until the service holds no executors, then the first
 * request after that idle spell (executors asked for again). Reports the executors held while idle (goal: 0 after
 * {@code executorIdleTimeout}), how long the release took, the first-after-idle and warm latencies, their ratio, and
 * whether every answer equals the seeded estimate computed here on local Spark.
 *
 * <pre>
 * mvn -B -f examples/sparkpi/pom.xml package -DskipTests
 * mvn -B -f bench/cluster/pom.xml compile exec:exec -Dbench.args="--app-jar examples/sparkpi/target/kindling-example-sparkpi-0.1.0-SNAPSHOT-app.jar --rounds 5 --idle-timeout 10s"
 * </pre>
 */
public final class ClusterBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SAMPLES = 2_000_000L;
    private static final int PARTITIONS = 4;
    private static final long SEED = 42L;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Path appJar = null;
        int rounds = 5;
        Duration idleTimeout = Duration.ofSeconds(10);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--app-jar" -> appJar = Path.of(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--idle-timeout" -> idleTimeout = Duration.ofSeconds(Long.parseLong(args[i + 1].replace("s", "")));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (appJar == null || !Files.isRegularFile(appJar) || rounds < 1) {
            System.err.println("usage: ClusterBench --app-jar SPARKPI_APP_JAR [--rounds N] [--idle-timeout 10s]");
            System.exit(2);
        }
        double expected;
        SparkSession local = SparkSession.builder().master("local[2]").appName("reference").getOrCreate();
        try {
            expected = SparkPi.estimate(local, SAMPLES, PARTITIONS, SEED).pi();
        } finally {
            local.stop();
        }
        try (SparkStandaloneCluster cluster = SparkStandaloneCluster.start()) {
            run(cluster, appJar, rounds, idleTimeout, expected);
        }
    }

    private static void run(SparkStandaloneCluster cluster, Path appJar, int rounds, Duration idleTimeout, double expected)
            throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String jar = appJar.toAbsolutePath().toString();
        try (ForkedJvm service = ForkedJvm.builder(SparkPiApp.class)
                .classPath(jar + File.pathSeparator + cluster.sparkHome().resolve("jars") + File.separator + "*")
                .spark().jvmOptions("-Xmx1g", "-Dspark.jars=" + jar, "-Dspark.executor.memory=512m", "-Dspark.ui.enabled=false")
                .env("SPARK_MASTER", cluster.masterUrl()).env("SPARK_LOCAL_IP", "127.0.0.1")
                .env("KINDLING_SPARK_DYNAMIC_ALLOCATION_EXECUTOR_IDLE_TIMEOUT", idleTimeout.toSeconds() + "s")
                .env("PORT", Integer.toString(port)).env("KINDLING_HTTP_HOST", "127.0.0.1").start()) {
            JsonHttp http = new JsonHttp(port, null);
            await(Duration.ofMinutes(3), () -> ready(http), service);
            List<Long> warm = new ArrayList<>();
            List<Long> firstAfterIdle = new ArrayList<>();
            List<Long> release = new ArrayList<>();
            int held = 0;
            int correct = 0;
            for (int r = 0; r < rounds; r++) {
                correct += estimate(http, expected) >= 0 ? 1 : 0;      // executors up
                long t = estimate(http, expected);                    // warm
                correct += t >= 0 ? 1 : 0;
                warm.add(Math.abs(t));
                long idleFrom = System.nanoTime();
                await(idleTimeout.multipliedBy(4).plusMinutes(1), () -> cores(cluster) == 0, service);
                release.add((System.nanoTime() - idleFrom) / 1_000_000);
                held = Math.max(held, cores(cluster));
                long c = estimate(http, expected);                    // first after the idle spell
                correct += c >= 0 ? 1 : 0;
                firstAfterIdle.add(Math.abs(c));
                System.out.printf(Locale.ROOT, "round %d: warm %d ms, released after %d ms, first after idle %d ms%n",
                        r + 1, warm.get(r), release.get(r), firstAfterIdle.get(r));
            }
            service.terminate();
            service.awaitExit(Duration.ofMinutes(1));
            System.out.printf(Locale.ROOT, "executors held while idle: %d (executorIdleTimeout %d s; released after median %d ms)%n",
                    held, idleTimeout.toSeconds(), median(release));
            System.out.printf(Locale.ROOT, "first job after idle: median %d ms; warm: median %d ms; ratio %.2f%n",
                    median(firstAfterIdle), median(warm), (double) median(firstAfterIdle) / Math.max(1, median(warm)));
            System.out.printf(Locale.ROOT, "correct: %d of %d answers equal the local seeded estimate %s%n", correct, 3 * rounds, expected);
        }
    }

    private static boolean ready(JsonHttp http) {
        try {
            return http.get("/readyz").status() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** The latency in ms of one seeded estimate, negative when the answer is wrong. */
    private static long estimate(JsonHttp http, double expected) {
        long t0 = System.nanoTime();
        JsonHttp.Response r = http.get("/sparkpi?samples=" + SAMPLES + "&partitions=" + PARTITIONS + "&seed=" + SEED);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        boolean right = r.status() == 200 && r.json().get("pi").asDouble() == expected;
        return right ? ms : -ms;
    }

    /** The cores (one per executor on these 1-core workers) the master granted to the sparkpi application. */
    private static int cores(SparkStandaloneCluster cluster) {
        try {
            for (JsonNode app : JSON.readTree(cluster.masterStatus()).get("activeapps")) {
                if (app.get("name").asText().equals(SparkPiApp.JOB)) {
                    return app.get("cores").asInt();
                }
            }
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the master's status", e);
        }
    }

    private static void await(Duration timeout, BooleanSupplier condition, ForkedJvm service) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited:\n" + service.output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + timeout + ":\n" + service.output());
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the poll interval
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
