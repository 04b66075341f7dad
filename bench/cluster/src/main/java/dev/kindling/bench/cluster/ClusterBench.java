package dev.kindling.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;

/**
 * Dynamic allocation on a real standalone cluster (a master and two 1-core workers from the testkit): the SparkPi
 * service, packaged (its app jar), with {@code SPARK_MASTER=spark://...} and Kindling's defaults on a cluster.
 * Two variants alternate on the bench harness: a <em>warm</em> request (one untimed request first brings the
 * executors up) and the <em>first request after an idle spell</em> (it waits until the master shows no cores
 * granted to the service, so the executors are asked for again). Besides their medians and ratio it reports the
 * executors held while idle (the cores granted at twice {@code executorIdleTimeout} after the last answer; goal: 0),
 * how long the release took after the last answer, and how many answers equal the seeded estimate computed here on local Spark; the result goes to
 * {@code bench/results/cluster.json}.
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

    private final SparkStandaloneCluster cluster;
    private final JsonHttp http;
    private final ForkedJvm service;
    private final double expected;
    private final Duration idleTimeout;
    private final List<Double> releases = new ArrayList<>();
    private long lastAnswerAt = System.nanoTime();
    private int heldWhileIdle;
    private int answers;
    private int correct;

    private ClusterBench(SparkStandaloneCluster cluster, JsonHttp http, ForkedJvm service, double expected, Duration idleTimeout) {
        this.cluster = cluster;
        this.http = http;
        this.service = service;
        this.expected = expected;
        this.idleTimeout = idleTimeout;
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
        Instant startedAt = Instant.now();
        System.out.println(Machine.describe());
        double expected;
        String sparkVersion;
        SparkSession local = SparkSession.builder().master("local[2]").appName("reference").getOrCreate();
        try {
            expected = SparkPi.estimate(local, SAMPLES, PARTITIONS, SEED).pi();
            sparkVersion = local.version();
        } finally {
            local.stop();
        }
        String command = "mvn -B -f bench/cluster/pom.xml compile exec:exec -Dbench.args=\"--app-jar "
                + "examples/sparkpi/target/" + appJar.getFileName() + " --rounds " + rounds + " --idle-timeout " + idleTimeout.toSeconds() + "s\"";
        BenchResultFile file = new BenchResultFile("cluster", "Dynamic allocation on a standalone cluster (two 1-core workers)",
                command, startedAt, sparkVersion)
                .parameter("rounds", rounds).parameter("executorIdleTimeout", idleTimeout.toSeconds() + " s")
                .parameter("request", "GET /sparkpi?samples=" + SAMPLES + "&partitions=" + PARTITIONS + "&seed=" + SEED);
        try (SparkStandaloneCluster cluster = SparkStandaloneCluster.start()) {
            run(cluster, appJar, rounds, idleTimeout, expected, file);
        }
        System.out.println("written to " + file.write());
    }

    private static void run(SparkStandaloneCluster cluster, Path appJar, int rounds, Duration idleTimeout, double expected,
                            BenchResultFile file) throws Exception {
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
            ClusterBench bench = new ClusterBench(cluster, http, service, expected, idleTimeout);
            bench.await(Duration.ofMinutes(3), bench::ready);
            // One warm-up round: the service's first request is neither warm nor after an idle spell.
            Alternating.Result r = Alternating.of("GET /sparkpi on the cluster", "ms")
                    .variant("warm", bench::warm)
                    .variant("first after idle", bench::firstAfterIdle)
                    .run(1, rounds);
            service.terminate();
            service.awaitExit(Duration.ofMinutes(1));
            double ratio = r.medianRatio("first after idle", "warm");
            double release = Alternating.median(bench.releases);
            System.out.println(r.summary("first after idle", "warm"));
            System.out.printf(Locale.ROOT, "executors held while idle: %d (executorIdleTimeout %d s; released a median %.0f ms after the last answer)%n",
                    bench.heldWhileIdle, idleTimeout.toSeconds(), release);
            System.out.printf(Locale.ROOT, "correct: %d of %d answers equal the local seeded estimate %s%n", bench.correct, bench.answers, expected);
            file.measurement("requests", r)
                    .statistic("executors held while idle (most seen)", bench.heldWhileIdle)
                    .statistic("executors released after the last answer, median ms", release)
                    .statistic("answers", bench.answers)
                    .statistic("answers equal to the local seeded estimate", bench.correct)
                    .ratio("first after idle / warm", ratio, null, null)
                    .ratio("answers correct / answers", (double) bench.correct / bench.answers, "= 1", bench.correct == bench.answers);
        }
    }

    /** A request while the executors are up: one untimed request first makes sure they are. */
    private double warm() {
        estimate();
        return estimate();
    }

    /** The first request after the service has released every executor; the release itself is timed too. */
    private double firstAfterIdle() {
        await(idleTimeout.multipliedBy(4).plusMinutes(1), () -> cores() == 0);
        releases.add((System.nanoTime() - lastAnswerAt) / 1e6);
        // Held while idle: the cores granted at twice the idle timeout after the last answer, once the release is
        // due for certain; a service that asked for executors again without a request would show here.
        long sampleAt = lastAnswerAt + idleTimeout.multipliedBy(2).toNanos();
        while (System.nanoTime() < sampleAt) {
            LockSupport.parkNanos(sampleAt - System.nanoTime());
        }
        heldWhileIdle = Math.max(heldWhileIdle, cores());
        return estimate();
    }

    private boolean ready() {
        try {
            return http.get("/readyz").status() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** The latency in ms of one seeded estimate; counts the answer and whether it is right. */
    private double estimate() {
        long t0 = System.nanoTime();
        JsonHttp.Response r = http.get("/sparkpi?samples=" + SAMPLES + "&partitions=" + PARTITIONS + "&seed=" + SEED);
        lastAnswerAt = System.nanoTime();
        answers++;
        if (r.status() == 200 && r.json().get("pi").asDouble() == expected) {
            correct++;
        }
        return (lastAnswerAt - t0) / 1e6;
    }

    /** The cores (one per executor on these 1-core workers) the master granted to the sparkpi application. */
    private int cores() {
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

    private void await(Duration timeout, BooleanSupplier condition) {
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
}
