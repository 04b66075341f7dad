package dev.kindling.bench.ondemand;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.config.Settings;
import dev.kindling.examples.sparkpi.SparkPi;
import dev.kindling.examples.sparkpi.SparkPiApp;
import dev.kindling.ondemand.JobService;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.service.KindlingService;
import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The on-demand benchmarks, in one run; writes {@code bench/results/ondemand.json}.
 *
 * <ol>
 *   <li><b>sync</b>: {@code GET /sparkpi?samples=100000} over HTTP against the same estimate called in-process on
 *       the same warm session, alternated by the harness; and against a cold {@code spark-submit} per request;</li>
 *   <li><b>admission</b>: {@code POST /jobs/sparkpi} from {@code wrk} in its own process while the submitted
 *       jobs run, open loop at a fixed rate, then closed loop;</li>
 *   <li><b>first request</b>: the sparkpi service started afresh in a JVM of its own, several times: the first
 *       request after {@code /readyz} turns 200 against the median of the next 50.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -o -f examples/sparkpi/pom.xml install -DskipTests      # also the thin app jar spark-submit runs
 * mvn -B -f bench/ondemand/pom.xml compile exec:exec
 * mvn -B -f bench/ondemand/pom.xml compile exec:exec -Dbench.args="--requests 100 --cold 0 --first 1"
 * </pre>
 */
public final class OnDemandBench {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SYNC_PATH = "/sparkpi?samples=100000";
    /** Long jobs (10^8 samples, several seconds each): the workers stay busy while wrk submits. */
    private static final String LONG_JOB = "{\"samples\": 100000000, \"partitions\": 2}";

    private OnDemandBench() {
    }

    /** The command-line options; see the README. */
    record Options(String appJar, int requests, int cold, int first, int rate, int connections, int seconds) {
        static Options parse(String[] args) {
            String appJar = null;
            int[] n = {200, 3, 3, 500, 64, 10};
            List<String> names = List.of("--requests", "--cold", "--first", "--rate", "--connections", "--seconds");
            for (int i = 0; i < args.length; i++) {
                int at = names.indexOf(args[i]);
                if ("--app-jar".equals(args[i]) && i + 1 < args.length) {
                    appJar = args[++i];
                } else if (at >= 0 && i + 1 < args.length) {
                    n[at] = Integer.parseInt(args[++i]);
                } else {
                    System.err.println("usage: OnDemandBench [--app-jar JAR] [--requests N] [--cold K] [--first F] [--rate R] "
                            + "[--connections C] [--seconds S]");
                    System.exit(2);
                }
            }
            return new Options(appJar, n[0], n[1], n[2], n[3], n[4], n[5]);
        }

        String asArgs() {
            return String.format(Locale.ROOT, "--requests %d --cold %d --first %d --rate %d --connections %d --seconds %d", requests, cold,
                    first, rate, connections, seconds);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Instant startedAt = Instant.now();
        System.out.println(Machine.describe());
        Path work = Files.createTempDirectory("kindling-ondemand-bench-");
        // the service in this JVM: its session is the one the in-process calls use
        int capacity = o.rate() * (o.seconds() + 3) + 2000;
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.queue-capacity", Integer.toString(capacity),
                "kindling.ondemand.records.max-count", Integer.toString(capacity + 1000), "kindling.shutdown.grace", "1s"));
        JobService jobs = SparkPiApp.jobs(settings);
        KindlingService service = KindlingService.builder(SparkPiApp.JOB).settings(settings)
                .component(jobs).routes(SparkPiApp::banner).start();
        String address = "127.0.0.1:" + service.port();
        while (get("http://" + address + "/readyz") != 200) {
            Thread.sleep(20);
        }
        BenchResultFile file = new BenchResultFile("ondemand", "On-demand service: sync path, admission, first request",
                "mvn -B -f bench/ondemand/pom.xml compile exec:exec -Dbench.args=\"" + o.asArgs() + "\"", startedAt,
                service.spark().version());
        file.parameter("options", o.asArgs());

        Alternating.Result sync = syncPath(address, service, jobs, o.requests());
        BenchResultFile.Measurement syncRatios = file.measurement("sync", sync)
                .ratio("HTTP / in-process", sync.medianRatio("http", "in-process"), "<= 1.05", sync.medianRatio("http", "in-process") <= 1.05)
                .ratio("job without HTTP / in-process", sync.medianRatio("job-in-process", "in-process"), null, null);
        if (o.appJar() != null && o.cold() > 0) {
            List<Double> cold = coldSubmits(o.appJar(), o.cold());
            double coldMedian = Alternating.median(cold);
            double times = coldMedian / sync.medians().get("http");
            System.out.printf(Locale.ROOT, "cold spark-submit per request (%d runs): median %.0f ms; warm HTTP is %.0fx faster%n", o.cold(),
                    coldMedian, times);
            file.parameter("coldSubmitsMs", cold);
            syncRatios.ratio("cold spark-submit / warm HTTP", times, ">= 150", times >= 150);
        }

        admission(address, o, new Wrk(work), work, file);
        service.shutdown();

        firstRequest(o.first(), work, file);
        System.out.println("written to " + file.write());
        System.exit(0);
    }

    /**
     * [1] the same estimate over HTTP and in-process, one of each per round; between them, to show where the
     * difference goes, the same job submitted in-process to the job service (queue, worker, job group, no HTTP)
     * and {@code GET /healthz} (the HTTP client and server alone, no job).
     */
    private static Alternating.Result syncPath(String address, KindlingService service, JobService jobs, int requests) throws Exception {
        int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
        RawHttp http = new RawHttp("127.0.0.1", port);
        SparkPi.Params params = new SparkPi.Params(100_000L, 2, null);
        Alternating.Result r = Alternating.of("GET " + SYNC_PATH + " vs in-process", "ms")
                .variant("http", () -> timeGet(http, SYNC_PATH))
                .variant("in-process", () -> {
                    long s = System.nanoTime();
                    SparkPi.estimate(service.spark(), 100_000, 2, null);
                    return (System.nanoTime() - s) / 1e6;
                })
                .variant("job-in-process", () -> {
                    long s = System.nanoTime();
                    JobStatus done = jobs.await(jobs.submit(SparkPiApp.JOB, params).id(), Duration.ofMinutes(1));
                    if (done.state() != JobState.SUCCEEDED) {
                        throw new IllegalStateException("the job ended " + done.state());
                    }
                    return (System.nanoTime() - s) / 1e6;
                })
                .variant("http-floor", () -> timeGet(http, "/healthz"))
                .run(20, requests);
        System.out.println(r.summary("http", "in-process"));
        System.out.println(r.summary("job-in-process", "in-process"));
        http.close();
        return r;
    }

    /**
     * [2] {@code POST /jobs/sparkpi} from wrk while long jobs run: 3 s to warm up, then an open loop at {@code rate}
     * requests per second (every answer a 202: the queue has room for them), then a closed loop that fills the
     * queue, after which nearly every answer is a 429. Each loop is followed by the same loop on {@code GET /healthz},
     * the cheapest route: the floor of the HTTP stack on this machine in the same state.
     */
    private static void admission(String address, Options o, Wrk wrk, Path work, BenchResultFile file) throws Exception {
        List<String> at = List.of(address);
        Wrk.Request post = Wrk.Request.postJob(LONG_JOB);
        Wrk.Request health = Wrk.Request.get("/healthz");
        wrk.run(at, 1, o.connections(), 3, o.rate(), post, work.resolve("warm-up.txt"));
        List<String> lines = new ArrayList<>();
        Map<String, Double> open = new LinkedHashMap<>();
        Map<String, Double> closed = new LinkedHashMap<>();
        for (boolean openLoop : new boolean[] {true, false}) {
            for (Wrk.Request request : List.of(post, health)) {
                long[] gc = gcCountAndMs();
                Wrk.Run run = wrk.run(at, openLoop ? 1 : 2, o.connections(), o.seconds(), openLoop ? o.rate() : 0, request,
                        work.resolve((openLoop ? "open" : "closed") + request.path().replace('/', '-') + ".txt"));
                String line = String.format(Locale.ROOT, "%s %s, %s, %d connections: %s; %s", request.method(), request.path(),
                        openLoop ? "open loop at " + o.rate() + "/s" : "closed loop", o.connections(), run.describe(), gcSince(gc));
                System.out.println(line);
                lines.add(line);
                (openLoop ? open : closed).put(request.method() + " " + request.path(), run.p99());
            }
        }
        file.parameter("admission", lines);
        file.parameter("jetty", "Javalin's default pool: QueuedThreadPool, 8 to 250 threads, 60 s idle; platform threads");
        String key = post.method() + " " + post.path();
        file.measurement("admission-open", "p99 latency, open loop at " + o.rate() + " requests/s, long jobs running", "ms",
                        List.copyOf(open.keySet()), List.of(open), open)
                .ratio("POST p99 (ms)", open.get(key), "<= 10", open.get(key) <= 10);
        file.measurement("admission-closed", "p99 latency, closed loop, " + o.connections() + " connections, long jobs running", "ms",
                        List.copyOf(closed.keySet()), List.of(closed), closed)
                .ratio("POST p99 (ms)", closed.get(key), "<= 50", closed.get(key) <= 50);
    }

    /** The service JVM's garbage collections so far: their count and their summed time in ms. */
    private static long[] gcCountAndMs() {
        long count = 0;
        long ms = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, ms};
    }

    private static String gcSince(long[] before) {
        long[] now = gcCountAndMs();
        return String.format(Locale.ROOT, "service JVM: %d collections, %d ms in them", now[0] - before[0], now[1] - before[1]);
    }

    /** [3] the service started afresh {@code runs} times: the first request after ready, and the median of the next 50. */
    private static void firstRequest(int runs, Path work, BenchResultFile file) throws Exception {
        List<Map<String, Double>> rounds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            try (ServiceJvm s = ServiceJvm.start(Map.of("spark.master", "local[*]"), work.resolve("first-" + i + ".log"))) {
                String address = s.awaitReady(Duration.ofMinutes(3)).address();
                double first;
                List<Double> steady = new ArrayList<>();
                try (RawHttp http = new RawHttp("127.0.0.1", Integer.parseInt(address.substring(address.indexOf(':') + 1)))) {
                    first = timeGet(http, SYNC_PATH);
                    for (int j = 0; j < 50; j++) {
                        steady.add(timeGet(http, SYNC_PATH));
                    }
                }
                Map<String, Double> round = new LinkedHashMap<>();
                round.put("first", first);
                round.put("steady", Alternating.median(steady));
                rounds.add(round);
                System.out.printf(Locale.ROOT, "first request after ready, start %d: %.1f ms (then %.1f, %.1f, %.1f ms); steady median of "
                        + "50: %.1f ms; ratio %.2f%n", i + 1, first, steady.get(0), steady.get(1), steady.get(2), round.get("steady"),
                        first / round.get("steady"));
            }
        }
        if (runs == 0) {
            return;
        }
        Alternating.Result r = new Alternating.Result("first request after readiness vs steady state (service started afresh each round)",
                "ms", List.of("first", "steady"), rounds);
        System.out.println(r.summary("first", "steady"));
        file.measurement("first-request", r).ratio("first / steady", r.medianRatio("first", "steady"), "<= 1.5",
                r.medianRatio("first", "steady") <= 1.5);
    }

    private static int get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static double timeGet(RawHttp http, String path) throws Exception {
        long s = System.nanoTime();
        RawHttp.Answer a = http.get(path);
        double ms = (System.nanoTime() - s) / 1e6;
        if (a.status() != 200) {
            throw new IllegalStateException(path + " answered " + a.status() + ": " + a.body());
        }
        return ms;
    }

    /** A cold {@code spark-submit} of the sparkpi app jar per request: the real SparkSubmit in a new JVM, wall time to exit. */
    private static List<Double> coldSubmits(String appJar, int runs) throws Exception {
        if (!Files.isRegularFile(Path.of(appJar))) {
            throw new IllegalArgumentException("no app jar at " + appJar + "; build it: mvn -f examples/sparkpi/pom.xml package -DskipTests");
        }
        List<String> opens = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                opens.add(a);
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(opens);
            cmd.addAll(Arrays.asList("-cp", System.getProperty("java.class.path"), "org.apache.spark.deploy.SparkSubmit",
                    "--master", "local[2]", "--conf", "spark.ui.enabled=false",
                    "--class", "dev.kindling.examples.sparkpi.SparkPiApp", appJar, "--once", "100000"));
            File log = File.createTempFile("kindling-bench-submit-", ".log");
            long s = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("spark-submit did not end within 120 s; log " + log);
            }
            double ms = (System.nanoTime() - s) / 1e6;
            if (p.exitValue() != 0 || !Files.readString(log.toPath()).contains("\"pi\":")) {
                throw new IllegalStateException("spark-submit failed (exit " + p.exitValue() + "); log " + log);
            }
            log.delete();
            times.add(ms);
        }
        return times;
    }
}
