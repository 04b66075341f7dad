package dev.kindling.bench.ondemand;

import dev.kindling.config.Settings;
import dev.kindling.examples.sparkpi.SparkPi;
import dev.kindling.examples.sparkpi.SparkPiApp;
import dev.kindling.service.KindlingService;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * The on-demand benchmarks, all in one JVM run (the cold spark-submit runs are child JVMs):
 *
 * <ol>
 *   <li>first request after readiness vs steady state;</li>
 *   <li>{@code GET /sparkpi?samples=100000} over HTTP vs the same estimate called in-process on the same
 *       warm session, alternated; and vs a cold {@code spark-submit} per request;</li>
 *   <li>{@code POST /jobs/sparkpi} latency under 64 concurrent clients.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -o -f examples/sparkpi/pom.xml package -DskipTests      # the thin app jar spark-submit runs
 * mvn -B -o -f bench/ondemand/pom.xml package exec:exec
 * mvn -B -o -f bench/ondemand/pom.xml package exec:exec -Dbench.args="--app-jar JAR --requests 300 --cold 5"
 * </pre>
 */
public final class OnDemandBench {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OnDemandBench() {
    }

    /** The command-line options; see the README. */
    private record Options(String appJar, int requests, int cold, int clients, int postsPerClient, int thinkMs) {
        static Options parse(String[] args) {
            String appJar = null;
            int[] n = {200, 3, 64, 20, 0};
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--app-jar" -> appJar = args[++i];
                    case "--requests" -> n[0] = Integer.parseInt(args[++i]);
                    case "--cold" -> n[1] = Integer.parseInt(args[++i]);
                    case "--clients" -> n[2] = Integer.parseInt(args[++i]);
                    case "--posts" -> n[3] = Integer.parseInt(args[++i]);
                    case "--think-ms" -> n[4] = Integer.parseInt(args[++i]);
                    default -> {
                        System.err.println("usage: OnDemandBench [--app-jar JAR] [--requests N] [--cold K] [--clients C] [--posts P] "
                                + "[--think-ms T]");
                        System.exit(2);
                    }
                }
            }
            return new Options(appJar, n[0], n[1], n[2], n[3], n[4]);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", java " + System.getProperty("java.version"));
        KindlingService service = startReady();
        String base = "http://127.0.0.1:" + service.port();
        firstVsSteady(base);
        List<Double> http = httpVsInProcess(base, service.spark(), o.requests());
        if (o.appJar() != null && o.cold() > 0) {
            List<Double> coldRuns = coldSubmits(o.appJar(), o.cold());
            System.out.printf("    cold spark-submit per request (%d runs): median %.0f ms, min %.0f, max %.0f%n", o.cold(),
                    median(coldRuns), Collections.min(coldRuns), Collections.max(coldRuns));
            System.out.printf("    warm HTTP is %.0fx faster than a cold spark-submit (goal >= 50x)%n", median(coldRuns) / median(http));
        } else {
            System.out.println("    (cold spark-submit skipped: give --app-jar)");
        }
        // 2. async submission latency under concurrent clients
        asyncSubmissions(base, o.clients(), o.postsPerClient(), o.thinkMs());
        service.shutdown();
        System.exit(0);
    }

    /** The sparkpi service, wired as {@code SparkPiApp.main} wires it (the service creates the SparkSession), once ready. */
    private static KindlingService startReady() throws Exception {
        long t0 = System.nanoTime();
        Settings settings = Settings.of(Map.of(
                "kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.queue-capacity", "100000", "kindling.ondemand.records.max-count", "100000",
                "kindling.shutdown.grace", "1s"));
        KindlingService service = KindlingService.builder(SparkPiApp.JOB).settings(settings)
                .component(SparkPiApp.jobs(settings)).routes(SparkPiApp::banner).start();
        String base = "http://127.0.0.1:" + service.port();
        // poll /readyz over HTTP as a load balancer or Kubernetes probe does
        while (CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            Thread.sleep(20);
        }
        System.out.printf("service ready in %.1f s (JVM start not included)%n", (System.nanoTime() - t0) / 1e9);
        return service;
    }

    /** [3] the first request after readiness against the median of the next 50. */
    private static void firstVsSteady(String base) throws Exception {
        double first = timeGet(base + "/sparkpi?samples=100000");
        List<Double> steady = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            steady.add(timeGet(base + "/sparkpi?samples=100000"));
        }
        System.out.printf("%n[3] first request after readiness: %.1f ms; steady median of 50: %.1f ms; ratio %.2f (goal <= 2)%n",
                first, median(steady), first / median(steady));
    }

    /** [1] the same estimate over HTTP and in-process, alternated; returns the HTTP times. */
    private static List<Double> httpVsInProcess(String base, SparkSession spark, int requests) throws Exception {
        List<Double> http = new ArrayList<>();
        List<Double> inProcess = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            http.add(timeGet(base + "/sparkpi?samples=100000"));
            long s = System.nanoTime();
            SparkPi.estimate(spark, 100_000, 2, null);
            inProcess.add((System.nanoTime() - s) / 1e6);
        }
        System.out.printf("%n[1] GET /sparkpi?samples=100000 over HTTP vs in-process, %d each, alternated%n", requests);
        System.out.printf("    HTTP       median %.1f ms, p99 %.1f ms%n", median(http), percentile(http, 99));
        System.out.printf("    in-process median %.1f ms, p99 %.1f ms%n", median(inProcess), percentile(inProcess, 99));
        System.out.printf("    ratio of medians HTTP / in-process: %.3f (goal <= 1.10)%n", median(http) / median(inProcess));
        return http;
    }

    private static double timeGet(String url) throws Exception {
        long s = System.nanoTime();
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - s) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return ms;
    }

    private static List<Double> coldSubmits(String appJar, int runs) throws Exception {
        if (!Files.isRegularFile(Path.of(appJar))) {
            throw new IllegalArgumentException("no app jar at " + appJar + "; build it: mvn -f examples/sparkpi/pom.xml package -DskipTests");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> opens = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                opens.add(a);
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
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
            String out = Files.readString(log.toPath());
            if (p.exitValue() != 0 || !out.contains("\"pi\":")) {
                throw new IllegalStateException("spark-submit failed (exit " + p.exitValue() + "); log " + log);
            }
            log.delete();
            times.add(ms);
        }
        return times;
    }

    private static void asyncSubmissions(String base, int clients, int postsPerClient, int thinkMs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Double>>> futures = new ArrayList<>();
        // long jobs: 10^8 samples each, so the workers stay busy for the whole run
        String body = "{\"samples\": 100000000, \"partitions\": 2}";
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                go.await();
                List<Double> times = new ArrayList<>();
                for (int i = 0; i < postsPerClient; i++) {
                    long s = System.nanoTime();
                    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/jobs/sparkpi"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    times.add((System.nanoTime() - s) / 1e6);
                    if (r.statusCode() != 202) {
                        throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
                    }
                    if (thinkMs > 0) {
                        Thread.sleep(thinkMs);
                    }
                }
                return times;
            }));
        }
        long s = System.nanoTime();
        go.countDown();
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> f : futures) {
            all.addAll(f.get());
        }
        double wall = (System.nanoTime() - s) / 1e9;
        pool.shutdown();
        System.out.printf("%n[2] POST /jobs/sparkpi (10^8 samples each) from %d concurrent clients, %d posts, think time %d ms: all 202%n",
                clients, all.size(), thinkMs);
        System.out.printf("    median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 <= 10 ms); %.0f posts/s%n",
                median(all), percentile(all, 90), percentile(all, 99), Collections.max(all), all.size() / wall);
        // the server's own view: time from the request's arrival in the handler chain to its answer (mean only)
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double count = metricValue(metrics, "http_server_requests_seconds_count", "route=\"/jobs/{name}\"", "status=\"202\"");
        double sum = metricValue(metrics, "http_server_requests_seconds_sum", "route=\"/jobs/{name}\"", "status=\"202\"");
        if (count > 0) {
            System.out.printf("    server-side handling time (control plane timer): mean %.2f ms over %.0f requests%n", sum / count * 1000,
                    count);
        }
    }

    private static double metricValue(String metrics, String name, String... labels) {
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all && line.contains("method=\"POST\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static double median(List<Double> xs) {
        return percentile(xs, 50);
    }

    private static double percentile(List<Double> xs, double p) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
