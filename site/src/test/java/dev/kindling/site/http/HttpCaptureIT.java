package dev.kindling.site.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Starts the example services of the three patterns, each in its own JVM on local Spark (as
 * {@code bin/run-example} does, with its embedded defaults), sends them the requests the HTTP API
 * reference documents, and writes the exchanges and each service's {@code /openapi.json} for the
 * site. Run by the site's build before its pages are converted.
 */
class HttpCaptureIT {
    private static final Path GENERATED = Path.of(System.getProperty("kindling.site.generated", "target/generated-docs"));
    private static final Path SITE = Path.of(System.getProperty("kindling.site", "target/site"));
    private static final Duration START = Duration.ofMinutes(6);

    @Test
    void capturesTheExampleServices() {
        List<ApiReference.Service> services = new ArrayList<>();
        services.add(capture("ondemand", "sparkpi", "examples/sparkpi", "dev.kindling.examples.sparkpi.SparkPiApp", this::sparkPi));
        services.add(capture("continuous", "orders-etl", "examples/etl", "dev.kindling.examples.etl.EtlApp", this::etl));
        services.add(capture("streaming", "wordcount", "examples/wordcount", "dev.kindling.examples.wordcount.WordCountApp", this::wordCount));
        ApiReference.write(GENERATED.resolve("http"), SITE.resolve("openapi"), services);

        for (ApiReference.Service s : services) {
            List<ApiReference.Route> routes = ApiReference.routes(s.openApi());
            assertThat(routes).as(s.name() + " routes").extracting(ApiReference.Route::path)
                    .contains("/healthz", "/readyz", "/metrics", "/status", "/openapi.json");
            assertThat(s.exchanges()).as(s.name() + " exchanges").allSatisfy(e -> assertThat(e.status()).isBetween(200, 499));
        }
    }

    private void sparkPi(HttpRecorder http) {
        http.get("banner", "What the service is", "/");
        http.get("sync", "A synchronous estimate: the job runs and the answer is its result", "/sparkpi?samples=200000&partitions=2&seed=42");
        assertThat(http.get("sync-invalid", "Invalid parameters: a problem naming the field", "/sparkpi?samples=0").status()).isEqualTo(400);
        Exchange submitted = http.post("submit", "An asynchronous job: 202 with its id and Location", "/jobs/sparkpi",
                "{\"samples\":2000000,\"partitions\":2,\"seed\":7}");
        assertThat(submitted.status()).isEqualTo(202);
        String id = HttpRecorder.json(submitted).path("id").asText();
        await().atMost(Duration.ofMinutes(5)).until(() -> http.ask("GET", "/jobs/" + id, null).json().path("state").asText().equals("SUCCEEDED"));
        http.get("job", "The job when it has ended: state, progress, result", "/jobs/" + id);
        http.post("wait", "Submit and wait up to 60 s: 200 and the ended job", "/jobs/sparkpi?wait=60s", "{\"samples\":100000,\"seed\":1}");
        Exchange followed = http.post("submit-followed", "Another job, followed by its events", "/jobs/sparkpi",
                "{\"samples\":1000000,\"partitions\":2,\"seed\":3}");
        http.events("events", "Its events: state and progress pushed, then the result (Server-Sent Events)",
                "/jobs/" + HttpRecorder.json(followed).path("id").asText() + "/events", Duration.ofMinutes(5));
        Exchange big = http.post("submit-big", "A long job", "/jobs/sparkpi", "{\"samples\":10000000000,\"partitions\":4}");
        http.delete("cancel", "Cancelling it", "/jobs/" + HttpRecorder.json(big).path("id").asText());
        http.get("list", "The jobs, newest first", "/jobs?limit=3");
        http.post("unknown", "A job that does not exist: 404", "/jobs/nope", "{}");
        common(http);
    }

    private void etl(HttpRecorder http) {
        http.get("status-before", "Status: the component, its last cycle and watermark", "/status");
        http.post("cycle", "Run a cycle now and wait for its report", "/cycles?wait=60s", null);
        common(http);
    }

    private void wordCount(HttpRecorder http) {
        JsonNode openApi = ApiReference.readJson(http.raw("/openapi.json"));
        for (ApiReference.Route table : ApiReference.routes(openApi)) {
            if (table.method().equals("GET") && table.path().startsWith("/tables/")) {
                await().atMost(Duration.ofMinutes(5)).until(() -> http.raw(table.path() + "?limit=1").replace(" ", "").contains("\"word\":"));
                http.get(table.path().substring(1).replaceAll("[^A-Za-z0-9]+", "-"), "The queryable table " + table.path()
                        + ": the five most frequent words so far", table.path() + "?orderBy=count&desc=true&limit=5");
            }
        }
        http.get("status", "Status: each query, its progress, tables and Kafka lag", "/status");
        common(http);
    }

    /** The GET routes without path parameters not yet asked, then the health routes every service has. */
    private static void common(HttpRecorder http) {
        JsonNode openApi = ApiReference.readJson(http.raw("/openapi.json"));
        for (ApiReference.Route r : ApiReference.routes(openApi)) {
            boolean asked = http.exchanges().stream().anyMatch(e -> e.method().equals("GET") && e.path().split("\\?")[0].equals(r.path()));
            if (r.method().equals("GET") && !r.path().contains("{") && !asked && !r.path().equals("/metrics")
                    && !r.path().equals("/openapi.json")) {
                String id = r.path().equals("/") ? "root" : r.path().substring(1).replaceAll("[^A-Za-z0-9]+", "-");
                http.get(id, r.summary().isEmpty() ? "GET " + r.path() : capitalized(r.summary()), r.path());
            }
        }
        http.get("metrics", "Prometheus metrics (the first lines)", "/metrics", body -> HttpRecorder.firstLines(body, 12),
                "The answer goes on with the JVM's, HTTP server's and components' meters.");
        http.get("openapi", "The OpenAPI 3 document (its beginning; the whole one is linked above)", "/openapi.json",
                body -> HttpRecorder.firstLines(body, 25) + "\n...", null);
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private ApiReference.Service capture(String pattern, String name, String source, String mainClass, Consumer<HttpRecorder> script) {
        try (ForkedJvm jvm = ForkedJvm.builder(mainClass).spark().jvmOptions("-Xmx1g")
                .env(Map.of("PORT", "0", "KINDLING_HTTP_HOST", "127.0.0.1", "SPARK_MASTER", "local[2]", "KINDLING_EMBEDDED", "true"))
                .start()) {
            Matcher m = jvm.awaitLine("listening on http://[^:]+:(\\d+)", START);
            int port = Integer.parseInt(m.group(1));
            HttpRecorder http = new HttpRecorder(port, null);
            await().atMost(START).until(() -> http.ask("GET", "/readyz", null).status() == 200);
            script.accept(http);
            return new ApiReference.Service(pattern, name, source, ApiReference.readJson(http.raw("/openapi.json")), http.exchanges());
        }
    }
}
