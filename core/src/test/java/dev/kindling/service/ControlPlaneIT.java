package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The control plane over a real socket: health, readiness, metrics, auth, limits and problem+json errors. */
class ControlPlaneIT {
    private static final AtomicBoolean READY = new AtomicBoolean(false);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ControlPlane plane;

    @BeforeAll
    static void start() {
        plane = ControlPlane.builder("test-service")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.http.max-request-bytes", "100", "kindling.auth.token", "t0ken")))
                .readiness("warm", READY::get)
                .routes(r -> {
                    r.get("/hello", ctx -> ctx.json(Map.of("hello", "world")));
                    r.post("/echo", ctx -> ctx.json(ctx.bodyAsClass(Map.class)));
                    r.get("/missing/{id}", ctx -> {
                        throw ProblemException.notFound("no thing has the id " + ctx.pathParam("id"));
                    });
                    r.get("/boom", ctx -> {
                        throw new IllegalStateException("secret internals");
                    });
                })
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        plane.shutdown();
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plane.port() + path));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return ControlPlane.json().readTree(r.body());
    }

    @Test
    void healthIsAlwaysUp() throws Exception {
        HttpResponse<String> r = send(req("/healthz"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(ControlPlane.json().readTree("{\"status\":\"up\",\"service\":\"test-service\"}"));
    }

    @Test
    void readinessFlipsWithItsChecks() throws Exception {
        READY.set(false);
        HttpResponse<String> before = send(req("/readyz"));
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("{\"status\":\"not ready\",\"checks\":{\"warm\":\"not ready\"}}");
        READY.set(true);
        HttpResponse<String> after = send(req("/readyz"));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("{\"status\":\"ready\",\"checks\":{\"warm\":\"ready\"}}");
    }

    @Test
    void metricsArePrometheusTextWithRequestTimings() throws Exception {
        send(req("/hello"));
        HttpResponse<String> r = send(req("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(r.body()).contains("# TYPE http_server_requests_seconds summary")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/hello\",service=\"test-service\",status=\"200\"}")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void mutatingRoutesNeedTheToken() throws Exception {
        HttpResponse<String> none = send(req("/echo").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"test-service\"");
        assertThat(none.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
        HttpResponse<String> wrong = send(req("/echo").header("Authorization", "Bearer nope").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> ok = send(req("/echo").header("Authorization", "Bearer t0ken").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"a\":1}");
        assertThat(send(req("/hello")).statusCode()).as("reads need no token").isEqualTo(200);
    }

    @Test
    void bodiesOverTheLimitGet413() throws Exception {
        HttpResponse<String> r = send(req("/echo").header("Authorization", "Bearer t0ken")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":\"" + "x".repeat(200) + "\"}")));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("detail").asText()).isEqualTo("the request body has 208 bytes; the limit is 100 (setting kindling.http.max-request-bytes)");
    }

    @Test
    void chunkedBodiesOverTheLimitGet413Too() throws Exception {
        byte[] big = ("{\"a\":\"" + "x".repeat(500) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> r = send(req("/echo").header("Authorization", "Bearer t0ken")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    @Test
    void errorsAreProblemJsonWithoutStackTraces() throws Exception {
        HttpResponse<String> missing = send(req("/missing/42"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
        assertThat(json(missing).toString()).isEqualTo(
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no thing has the id 42\"}");

        HttpResponse<String> noRoute = send(req("/nowhere"));
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(json(noRoute).get("title").asText()).isEqualTo("Not Found");

        HttpResponse<String> wrongMethod = send(req("/hello").header("Authorization", "Bearer t0ken").DELETE());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).get("status").asInt()).isEqualTo(405);

        HttpResponse<String> malformed = send(req("/echo").header("Authorization", "Bearer t0ken")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":")));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("detail").asText()).startsWith("malformed JSON");

        HttpResponse<String> boom = send(req("/boom"));
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).doesNotContain("secret internals").doesNotContain("at dev.kindling");
        assertThat(json(boom).get("errorId").asText()).hasSize(36);
    }
}
