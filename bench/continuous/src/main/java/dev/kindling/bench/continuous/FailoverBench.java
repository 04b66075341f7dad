package dev.kindling.bench.continuous;

import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.connect.JdbcEndpoint;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failover of continuous-batch replicas: two replicas ({@link FailoverReplicaMain}, a JVM each) of one
 * pipeline on an embedded PostgreSQL; each round kills the leader with SIGKILL, inserts 100 rows, and
 * times, from the kill, (a) the lease passing to the standby and (b) the first cycle committed by the
 * new leader (its watermark row moves on); then it starts a new standby for the next round.
 *
 * <pre>
 * mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.continuous.FailoverBench -Dbench.args="3 2s,5s"
 * #                                                                                                     rounds per ttl, lease ttls
 * </pre>
 *
 * Prints every round and the medians per ttl, and writes {@code bench/results/continuous-failover.json}.
 */
public final class FailoverBench {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Pattern PORT = Pattern.compile("^port (\\d+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A replica's JVM, its output file and HTTP port. */
    private record Replica(String id, Process process, Path log, int port) {
    }

    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> ttls = List.of((args.length > 1 ? args[1] : "2s,5s").split(","));
        Instant startedAt = Instant.now();
        System.out.println(Machine.describe());
        Path tmp = Files.createTempDirectory("kindling-bench-failover-");
        BenchResultFile result = new BenchResultFile("continuous-failover", "Continuous replicas: failover after a kill -9 of the leader",
                "mvn -B -f bench/continuous/pom.xml compile exec:exec -Dbench.main=" + FailoverBench.class.getName()
                        + " -Dbench.args=\"" + rounds + " " + String.join(",", ttls) + "\"", startedAt, org.apache.spark.package$.MODULE$.SPARK_VERSION())
                .parameter("roundsPerTtl", rounds).parameter("ttls", String.join(",", ttls)).parameter("rowsPerRound", 100);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            JdbcEndpoint db = new JdbcEndpoint(url, "postgres", null);
            execute(db, "CREATE TABLE failover_events (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
            List<String> summary = new ArrayList<>();
            for (String ttl : ttls) {
                List<Map<String, Double>> measured = measure(db, url, ttl, rounds, tmp);
                Map<String, Double> medians = new LinkedHashMap<>();
                medians.put("lease", median(measured, "lease"));
                medians.put("commit", median(measured, "commit"));
                result.measurement("failover-" + ttl, "from the kill -9 of the leader, lease ttl " + ttl, "ms", List.of("lease", "commit"),
                        measured, medians);
                summary.add(String.format(Locale.ROOT, "ttl %s: median %.0f ms to the lease on the standby, %.0f ms to its first committed cycle",
                        ttl, medians.get("lease"), medians.get("commit")));
            }
            summary.forEach(System.out::println);
        }
        System.out.println("written to " + result.write());
    }

    private static List<Map<String, Double>> measure(JdbcEndpoint db, String url, String ttl, int rounds, Path tmp) throws Exception {
        String pipeline = "failover_" + ttl;
        execute(db, "CREATE TABLE " + pipeline + "_out (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
        insert(db, 100);
        int started = 0;
        List<Replica> replicas = new ArrayList<>(List.of(start(url, pipeline, ttl, ++started, tmp), start(url, pipeline, ttl, ++started, tmp)));
        List<Map<String, Double>> measured = new ArrayList<>();
        try {
            for (Replica r : replicas) {
                awaitReady(r);
            }
            long events = count(db, "failover_events");
            until("the first batch is published", () -> count(db, pipeline + "_out") == events);
            for (int round = 1; round <= rounds; round++) {
                String leaderId = until("a leader", () -> holder(db, pipeline), h -> h != null);
                Replica leader = replicas.stream().filter(r -> r.id().equals(leaderId)).findFirst().orElseThrow();
                long batch = number(db, "SELECT batch_id FROM kindling_watermarks WHERE pipeline = '" + pipeline + "'");
                long t0 = System.nanoTime();
                leader.process().destroyForcibly(); // SIGKILL
                insert(db, 100);
                long leaseNs = waitNanos(t0, () -> !leaderId.equals(holder(db, pipeline)));
                long commitNs = waitNanos(t0, () -> number(db, "SELECT batch_id FROM kindling_watermarks WHERE pipeline = '" + pipeline + "'") > batch);
                long expected = count(db, "failover_events");
                until("every row is in the output", () -> count(db, pipeline + "_out") == expected);
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("lease", leaseNs / 1e6);
                m.put("commit", commitNs / 1e6);
                measured.add(m);
                System.out.printf(Locale.ROOT, "ttl %s round %d: killed %s; lease on %s after %.0f ms, first cycle committed after %.0f ms; "
                        + "%d rows in the output, as in the source; load %.2f%n", ttl, round, leaderId, holder(db, pipeline), leaseNs / 1e6,
                        commitNs / 1e6, expected, Machine.loadAverage());
                leader.process().waitFor();
                replicas.remove(leader);
                if (round < rounds) {
                    Replica fresh = start(url, pipeline, ttl, ++started, tmp);
                    replicas.add(fresh);
                    awaitReady(fresh);
                }
            }
        } finally {
            for (Replica r : replicas) {
                r.process().destroy();
            }
            for (Replica r : replicas) {
                r.process().waitFor();
            }
        }
        return measured;
    }

    private static Replica start(String url, String pipeline, String ttl, int n, Path tmp) throws IOException, InterruptedException {
        String id = pipeline + "-replica-" + n;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("-D"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FailoverReplicaMain.class.getName(), url, "postgres", id, ttl,
                pipeline));
        Path log = tmp.resolve(id + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int port = Integer.parseInt(until(id + " prints its port", () -> {
            Matcher m = PORT.matcher(read(log));
            if (!p.isAlive()) {
                throw new IllegalStateException(id + " exited (" + p.exitValue() + "):\n" + read(log));
            }
            return m.find() ? m.group(1) : null;
        }, s -> s != null));
        return new Replica(id, p, log, port);
    }

    private static void awaitReady(Replica r) throws InterruptedException {
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/readyz")).GET().build();
        until(r.id() + " is ready", () -> {
            try {
                return HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** Nanoseconds from {@code t0} until {@code condition} holds, looked at every 10 ms. */
    private static long waitNanos(long t0, Supplier<Boolean> condition) throws InterruptedException {
        until("the failover", condition);
        return System.nanoTime() - t0;
    }

    private static void until(String what, Supplier<Boolean> condition) throws InterruptedException {
        until(what, condition::get, b -> b);
    }

    private static <T> T until(String what, Supplier<T> value, java.util.function.Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T v = value.get();
            if (done.test(v)) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + WAIT + " waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    private static String holder(JdbcEndpoint db, String pipeline) {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT holder FROM kindling_leases WHERE name = 'continuous/" + pipeline + "' AND expires_at > now()")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            return null; // the table is created by the first replica
        }
    }

    private static long count(JdbcEndpoint db, String table) {
        return number(db, "SELECT count(*) FROM " + table);
    }

    private static long number(JdbcEndpoint db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (Exception e) {
            return -1; // the table is created by the first replica
        }
    }

    private static void insert(JdbcEndpoint db, int rows) throws Exception {
        execute(db, "INSERT INTO failover_events (word) SELECT md5(g::text) FROM generate_series(1, " + rows + ") AS g");
    }

    private static void execute(JdbcEndpoint db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static double median(List<Map<String, Double>> rounds, String key) {
        double[] v = rounds.stream().mapToDouble(m -> m.get(key)).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
