package dev.kindling.bench.ondemand;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.service.Main;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService;
import scala.Option;

/**
 * One SQL query three ways, alternated in one run on one warm Spark: Kindling's configuration-only
 * on-demand service over HTTP ({@code GET /pi}), a Spark Connect client in its own JVM against a
 * Spark Connect server on the same SparkContext, and the query called in-process on the same session.
 * The query counts the points of {@code range} rows (100,000 by default, 2 partitions) that fall in
 * the unit circle, a Pi-style filter; every answer is checked against the in-process count. Each call
 * is timed where its caller sees it: the HTTP and in-process calls in this JVM, the Spark Connect call
 * in its client's JVM ({@link ConnectPeer}).
 *
 * <pre>
 * mvn -B -o -pl bench/ondemand,bench/connect-client -am install -DskipTests   # bench modules are built, never installed
 * mvn -B -o -f bench/ondemand/pom.xml exec:exec -Dbench.main=dev.kindling.bench.ondemand.QueryBench -Dbench.args="--calls 60"
 * </pre>
 *
 * <p>Options: {@code --calls N} measured calls per variant (default 60, after 10 warm-up calls each),
 * {@code --rows N} (default 100,000), {@code --client-classpath FILE} the Spark Connect client's class path
 * as {@code bench/connect-client} writes it (default {@code ../connect-client/target/classpath.txt}).
 * The result goes to {@code bench/results/ondemand-query.json}.
 */
public final class QueryBench {
    /** The Pi-style filter: random points in the square [-1, 1]², kept when inside the unit circle. */
    private static final String FILTER = "pow(rand(1) * 2 - 1, 2) + pow(rand(2) * 2 - 1, 2) <= 1";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private QueryBench() {
    }

    /** One HTTP call whose answer is not looked at. */
    @FunctionalInterface
    private interface Call {
        void call() throws Exception;
    }

    private record Options(int calls, long rows, Path clientClasspath) {
        static Options parse(String[] args) {
            int calls = 60;
            long rows = 100_000;
            Path classpath = Path.of("..", "connect-client", "target", "classpath.txt");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--calls" -> calls = Integer.parseInt(args[++i]);
                    case "--rows" -> rows = Long.parseLong(args[++i]);
                    case "--client-classpath" -> classpath = Path.of(args[++i]);
                    default -> {
                        System.err.println("usage: QueryBench [--calls N] [--rows N] [--client-classpath FILE]");
                        System.exit(2);
                    }
                }
            }
            if (calls < 1 || rows < 1) {
                System.err.println("--calls and --rows must be at least 1");
                System.exit(2);
            }
            return new Options(calls, rows, classpath);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Instant startedAt = Instant.now();
        int connectPort = ConnectPeer.freePort();
        // Spark reads spark.* system properties when the service creates its session
        System.setProperty("spark.connect.grpc.binding.address", "127.0.0.1");
        System.setProperty("spark.connect.grpc.binding.port", String.valueOf(connectPort));
        KindlingService service = Main.build(Settings.of(Map.of(
                "kindling.service.pattern", "ondemand", "kindling.service.name", "pi",
                "kindling.ondemand.job.name", "pi",
                "kindling.ondemand.job.source", "range:" + o.rows() + "?partitions=2",
                "kindling.ondemand.job.sql", "SELECT count(*) AS inside FROM input WHERE " + FILTER,
                "kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.records.max-count", "100000", "kindling.shutdown.grace", "1s"))).start();
        SparkSession spark = service.spark();
        String base = "http://127.0.0.1:" + service.port();
        awaitReady(base);
        SparkConnectService.start(spark.sparkContext());
        String query = "SELECT count(*) AS inside FROM range(0, " + o.rows() + ", 1, 2) WHERE " + FILTER;
        long expected = spark.sql(query).collectAsList().get(0).getLong(0);
        try (ConnectPeer connect = ConnectPeer.start(Files.readString(o.clientClasspath()).trim(), connectPort, query)) {
            System.out.println(Machine.describe());
            System.out.printf(Locale.ROOT, "HTTP floor, GET /healthz, median of 200 calls: %.2f ms (HttpURLConnection, the one the bench "
                    + "uses), %.2f ms (java.net.http)%n", healthzFloor(() -> get(base + "/healthz")), healthzFloor(() -> HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/healthz")).GET().build(), HttpResponse.BodyHandlers.discarding())));
            String expectedJson = "{\"rows\":[{\"inside\":" + expected + "}],\"truncated\":false}";
            Alternating.Result r = Alternating.of(String.format(Locale.ROOT, "SQL query over range(%,d)", o.rows()), "ms")
                    .variant("kindling-http", () -> timeGet(base + "/pi", expectedJson))
                    .variant("spark-connect", () -> connect.run(expected))
                    .variant("in-process", () -> timeInProcess(spark, query, expected))
                    .run(10, o.calls());
            double toConnect = r.medianRatio("kindling-http", "spark-connect");
            double toInProcess = r.medianRatio("kindling-http", "in-process");
            System.out.println(r.summary("kindling-http", "spark-connect") + " (goal <= 0.85)");
            System.out.println(r.summary("kindling-http", "in-process") + " (goal <= 1.05)");
            BenchResultFile result = new BenchResultFile("ondemand-query", "A SQL query: Kindling over HTTP vs Spark Connect vs in-process",
                    "mvn -B -o -f bench/ondemand/pom.xml exec:exec -Dbench.main=dev.kindling.bench.ondemand.QueryBench -Dbench.args=\"--calls "
                            + o.calls() + " --rows " + o.rows() + "\"", startedAt, spark.version())
                    .parameter("rows", o.rows()).parameter("calls", o.calls()).parameter("warmUpCalls", 10)
                    .parameter("query", query);
            result.measurement("query", r)
                    .ratio("median of per-round ratios kindling-http / spark-connect", toConnect, "<= 0.85", toConnect <= 0.85)
                    .ratio("median of per-round ratios kindling-http / in-process", toInProcess, "<= 1.05", toInProcess <= 1.05);
            System.out.println("written to " + result.write());
        } finally {
            SparkConnectService.stop(Option.empty(), Option.empty());
            service.shutdown();
        }
        System.exit(0);
    }

    private static void awaitReady(String base) throws Exception {
        HttpRequest readyz = HttpRequest.newBuilder(URI.create(base + "/readyz")).GET().build();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not ready within 2 minutes");
            }
            Thread.sleep(20);
        }
    }

    /** The median time of 200 calls of {@code call}: for {@code GET /healthz}, what HTTP costs on its own. */
    private static double healthzFloor(Call call) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long s = System.nanoTime();
            call.call();
            times.add((System.nanoTime() - s) / 1e6);
        }
        return Alternating.median(times);
    }

    private static double timeGet(String url, String expectedBody) throws Exception {
        long s = System.nanoTime();
        String body = get(url);
        double ms = (System.nanoTime() - s) / 1e6;
        if (!body.equals(expectedBody)) {
            throw new IllegalStateException(url + " answered " + body + "; expected " + expectedBody);
        }
        return ms;
    }

    /**
     * A GET on the caller's thread, over a kept-alive connection (the body is read to its end and
     * closed, so the JDK reuses the connection); {@code java.net.http} hands each exchange between
     * its own threads, which cost about 0.8 ms more per call here (both floors are printed).
     */
    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IllegalStateException(url + " answered " + status + ": " + body);
            }
            return body;
        }
    }

    private static double timeInProcess(SparkSession spark, String query, long expected) {
        long s = System.nanoTime();
        long inside = spark.sql(query).collectAsList().get(0).getLong(0);
        double ms = (System.nanoTime() - s) / 1e6;
        if (inside != expected) {
            throw new IllegalStateException("in-process count " + inside + ", expected " + expected);
        }
        return ms;
    }
}
