package dev.kindling.bench.ondemand;

import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    /** The job each POST submits. */
    private static final String BODY = "{\"samples\": 100000, \"partitions\": 1}";

    private ReplicaBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        Instant startedAt = Instant.now();
        Path work = Files.createTempDirectory("kindling-replica-bench-");
        Wrk wrk = new Wrk(work);
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
                    Wrk.Run r = runLayout(db, replicas, seconds, connections, wrk, work.resolve("round" + round + "-" + replicas));
                    String line = String.format(Locale.ROOT, "round %d, %d replica(s): %s", round + 1, replicas, r.describe());
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
    private static Wrk.Run runLayout(PostgresDatabase db, int replicas, int seconds, int connections, Wrk wrk, Path logs) throws Exception {
        Files.createDirectories(logs);
        List<ServiceJvm> services = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                services.add(ServiceJvm.start(Map.of("spark.master", "local[1]",
                        "kindling.ondemand.store.url", db.jdbcUrl(), "kindling.ondemand.store.user", db.user(),
                        "kindling.ondemand.store.password", db.password(),
                        "kindling.ondemand.replica-id", "replica-" + i, "kindling.ondemand.workers", "1",
                        "kindling.ondemand.queue-capacity", "1000000", "kindling.ondemand.records.max-count", "100000"),
                        logs.resolve("replica-" + i + ".log")));
            }
            List<String> addresses = new ArrayList<>();
            for (ServiceJvm s : services) {
                addresses.add(s.awaitReady(Duration.ofMinutes(3)).address());
            }
            wrk.run(addresses, 3, connections, 3, 0, Wrk.Request.postJob(BODY), logs.resolve("warmup.txt"));
            return wrk.run(addresses, 3, connections, seconds, 0, Wrk.Request.postJob(BODY), logs.resolve("wrk.txt"));
        } finally {
            for (ServiceJvm s : services) {
                s.close();
            }
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
