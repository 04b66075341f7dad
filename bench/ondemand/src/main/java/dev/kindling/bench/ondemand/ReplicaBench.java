package dev.kindling.bench.ondemand;

import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Job submission on one replica and on three: the sparkpi service in separate JVMs that share one
 * PostgreSQL job store, loaded by {@code wrk} (in its own process) with {@code POST /jobs/sparkpi},
 * each wrk thread sending to one replica in turn (a small round-robin client), closed loop. The jobs
 * submitted run meanwhile (100,000 samples each, one worker per replica), as in a real service.
 *
 * <pre>
 * mvn -B -o -f examples/sparkpi/pom.xml install -DskipTests
 * mvn -B -f bench/ondemand/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.ondemand.ReplicaBench -Dbench.args="3 10 48"
 * </pre>
 *
 * <p>Arguments: rounds (default 3), seconds of load per run (default 10), connections (default 48).
 * Each round starts each layout afresh on an empty database (one replica, then three, the order
 * alternating by round), waits for every {@code /readyz}, loads it for 3 s to warm up, then measures.
 * Prints every run and the medians; writes {@code bench/results/ondemand-replicas.json}.
 */
public final class ReplicaBench {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern RESULT = Pattern.compile("RESULT requests=(\\d+) seconds=([\\d.]+) p50_ms=([\\d.]+) p99_ms=([\\d.]+) "
            + "max_ms=([\\d.]+) accepted=(\\d+) refused=(\\d+) other=(\\d+) errors=(\\d+)");

    private ReplicaBench() {
    }

    /** One wrk run's figures. */
    record Run(double perSecond, double p50, double p99, double max, long accepted, long refused, long other, long errors) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        Instant startedAt = Instant.now();
        Path work = Files.createTempDirectory("kindling-replica-bench-");
        Path script = work.resolve("replicas.lua");
        try (InputStream in = ReplicaBench.class.getResourceAsStream("/replicas.lua")) {
            Files.copy(in, script);
        }
        System.out.println(Machine.describe());
        List<Map<String, Double>> rate = new ArrayList<>();
        List<Map<String, Double>> p99 = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (PostgresServer pg = PostgresServer.start()) {
            for (int round = 0; round < rounds; round++) {
                Map<String, Double> rateRound = new LinkedHashMap<>();
                Map<String, Double> p99Round = new LinkedHashMap<>();
                int[] order = round % 2 == 0 ? new int[] {1, 3} : new int[] {3, 1};
                for (int replicas : order) {
                    PostgresDatabase db = pg.createDatabase("jobs_r" + round + "_" + replicas);
                    Run r = runLayout(db, replicas, seconds, connections, script, work.resolve("round" + round + "-" + replicas));
                    String line = String.format(Locale.ROOT, "round %d, %d replica(s): %.0f posts/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms; "
                            + "202: %d, 429: %d, other: %d, socket errors: %d", round + 1, replicas, r.perSecond(), r.p50(), r.p99(), r.max(),
                            r.accepted(), r.refused(), r.other(), r.errors());
                    System.out.println(line);
                    lines.add(line);
                    rateRound.put(replicas + " replica(s)", r.perSecond());
                    p99Round.put(replicas + " replica(s)", r.p99());
                }
                rate.add(rateRound);
                p99.add(p99Round);
            }
        }
        Map<String, Double> rateMedians = medians(rate);
        Map<String, Double> p99Medians = medians(p99);
        double rateRatio = rateMedians.get("3 replica(s)") / rateMedians.get("1 replica(s)");
        double p99Ratio = p99Medians.get("3 replica(s)") / p99Medians.get("1 replica(s)");
        System.out.printf(Locale.ROOT, "medians: 1 replica %.0f posts/s p99 %.2f ms; 3 replicas %.0f posts/s p99 %.2f ms; "
                + "throughput 3/1 %.2f, p99 3/1 %.2f%n", rateMedians.get("1 replica(s)"), p99Medians.get("1 replica(s)"),
                rateMedians.get("3 replica(s)"), p99Medians.get("3 replica(s)"), rateRatio, p99Ratio);
        BenchResultFile file = new BenchResultFile("ondemand-replicas", "Job submission on one replica and on three (shared PostgreSQL store)",
                "mvn -B -f bench/ondemand/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.ondemand.ReplicaBench -Dbench.args=\""
                        + rounds + " " + seconds + " " + connections + "\"", startedAt, "4.2.0")
                .parameter("rounds", rounds).parameter("seconds", seconds).parameter("connections", connections).parameter("runs", lines);
        List<String> variants = List.of("1 replica(s)", "3 replica(s)");
        file.measurement("throughput", "POST /jobs/sparkpi answered per second (closed loop)", "posts/s", variants, rate, rateMedians)
                .ratio("throughput, 3 replicas / 1", rateRatio, null, null);
        file.measurement("p99", "POST /jobs/sparkpi p99 latency", "ms", variants, p99, p99Medians)
                .ratio("p99, 3 replicas / 1", p99Ratio, null, null);
        System.out.println("written to " + file.write());
        System.exit(0);
    }

    /** Starts {@code replicas} service JVMs on {@code db}, loads them with wrk and stops them. */
    private static Run runLayout(PostgresDatabase db, int replicas, int seconds, int connections, Path script, Path logs) throws Exception {
        Files.createDirectories(logs);
        List<Process> processes = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                int port = freePort();
                processes.add(startReplica(db, port, "replica-" + i, logs.resolve("replica-" + i + ".log")));
                addresses.add("127.0.0.1:" + port);
            }
            for (String a : addresses) {
                awaitReady(a, Duration.ofMinutes(3));
            }
            wrk(addresses, 3, connections, script, logs.resolve("warmup.txt"));
            return wrk(addresses, seconds, connections, script, logs.resolve("wrk.txt"));
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                p.waitFor();
            }
        }
    }

    private static Process startReplica(PostgresDatabase db, int port, String id, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "-Dspark.master=local[1]", "-Dspark.ui.enabled=false",
                "-Dkindling.http.host=127.0.0.1", "-Dkindling.http.port=" + port,
                "-Dkindling.ondemand.store.url=" + db.jdbcUrl(), "-Dkindling.ondemand.store.user=" + db.user(),
                "-Dkindling.ondemand.store.password=" + db.password(),
                "-Dkindling.ondemand.replica-id=" + id, "-Dkindling.ondemand.workers=1",
                "-Dkindling.ondemand.queue-capacity=1000000", "-Dkindling.ondemand.records.max-count=100000",
                "dev.kindling.examples.sparkpi.SparkPiApp"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(String address, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI readyz = URI.create("http://" + address + "/readyz");
        while (System.nanoTime() < deadline) {
            try {
                if (CLIENT.send(HttpRequest.newBuilder(readyz).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the replica is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(address + " was not ready within " + timeout);
    }

    private static Run wrk(List<String> addresses, int seconds, int connections, Path script, Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t", "3", "-c", Integer.toString(connections), "-d", seconds + "s",
                "-s", script.toString(), "http://" + addresses.get(0) + "/jobs/sparkpi")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("REPLICAS", String.join(",", addresses));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is needed (Debian: apt-get install wrk): " + e.getMessage(), e);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + Files.readString(out, StandardCharsets.UTF_8));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Matcher m = RESULT.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no RESULT line in wrk's output: " + text);
        }
        double secs = Double.parseDouble(m.group(2));
        return new Run(Long.parseLong(m.group(1)) / secs, Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                Double.parseDouble(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7)), Long.parseLong(m.group(8)),
                Long.parseLong(m.group(9)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, Double> medians(List<Map<String, Double>> rounds) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : rounds.get(0).keySet()) {
            List<Double> v = new ArrayList<>();
            rounds.forEach(r -> v.add(r.get(k)));
            v.sort(null);
            int n = v.size();
            out.put(k, n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2);
        }
        return out;
    }
}
