package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.spark.SparkSessions;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a careful operator gets without configuring anything, and what each security setting changes. */
class SecureDefaultsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SparkSession spark;
    private static volatile CountDownLatch holdStarted = new CountDownLatch(1);
    private static volatile CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void spark() {
        spark = SparkSessions.create("secure-defaults-it", Map.of("spark.master", "local[1]", "spark.ui.enabled", "false"),
                Settings.of(Map.of()));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Settings settings(String... pairs) {
        Map<String, String> m = new HashMap<>(Map.of("kindling.http.port", "0"));
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Settings.of(m);
    }

    private static KindlingService service(Settings settings) {
        return KindlingService.builder("svc").settings(settings).spark(spark).component(new TestComponent("a"))
                .routes(r -> r.post("/echo", ctx -> ctx.json(ctx.bodyAsClass(Map.class)))
                        .get("/hold", ctx -> {
                            holdStarted.countDown();
                            release.await(30, TimeUnit.SECONDS);
                        })
                        .get("/away", ctx -> {
                            throw new dev.kindling.ipp.TransientException("cannot connect to jdbc:postgresql://db:5432/app",
                                    new java.net.ConnectException("Connection refused"));
                        })
                        .get("/broken", ctx -> {
                            throw new IllegalStateException("a bug");
                        })
                        .get("/secret", ctx -> {
                            throw ProblemException.badRequest("cannot reach jdbc:postgresql://app:pa55word@db/x");
                        })
                        .sse("/events", client -> client.keepAlive()))
                .build();
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder req(KindlingService s, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
    }

    @Test
    void aDependencyThatIsAwayIsA503WithRetryAfterThatNamesItAndABugStaysA500() throws Exception {
        try (KindlingService s = service(settings()).start()) {
            HttpResponse<String> away = send(req(s, "/away"));
            assertThat(away.statusCode()).isEqualTo(503);
            assertThat(away.headers().firstValue("Retry-After")).contains("5");
            assertThat(dev.kindling.service.Json.mapper().readTree(away.body()).get("detail").asText())
                    .startsWith("a dependency did not answer: ")
                    .contains("cannot connect to jdbc:postgresql://db:5432/app")
                    .endsWith("; retry after 5 s");
            HttpResponse<String> broken = send(req(s, "/broken"));
            assertThat(broken.statusCode()).isEqualTo(500);
            assertThat(broken.headers().firstValue("Retry-After")).isEmpty();
        }
    }

    @Test
    void withoutATokenItBindsToLoopbackAndRefusesAnyOtherAddress() {
        try (KindlingService s = service(settings()).start()) {
            assertThat(s.status().state()).isEqualTo(ComponentState.RUNNING);
        }
        assertThatThrownBy(() -> service(settings("kindling.http.host", "0.0.0.0")).start())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the service would serve on 0.0.0.0 without a token: set KINDLING_AUTH_TOKEN (every route but /healthz and "
                        + "/readyz then needs it), bind to 127.0.0.1 (KINDLING_HTTP_HOST), or set KINDLING_HTTP_ALLOW_UNAUTHENTICATED=true "
                        + "when a proxy in front authenticates");
        try (KindlingService s = service(settings("kindling.http.host", "0.0.0.0", "kindling.http.allow-unauthenticated", "true"))
                .start()) {
            assertThat(s.isReady()).isTrue();
        }
    }

    @Test
    void aTokenGuardsEveryRouteButTheProbesAndAnyOfSeveralTokensIsAccepted() throws Exception {
        try (KindlingService s = service(settings("kindling.auth.token", "old-token-1, new-token-2")).start()) {
            assertThat(send(req(s, "/healthz")).statusCode()).isEqualTo(200);
            assertThat(send(req(s, "/readyz")).statusCode()).isEqualTo(200);
            for (String path : List.of("/metrics", "/status", "/openapi.json", "/hold", "/nowhere")) {
                HttpResponse<String> r = send(req(s, path));
                assertThat(r.statusCode()).as(path).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"svc\"");
            }
            HttpResponse<String> stream = send(req(s, "/events").header("Accept", "text/event-stream"));
            assertThat(stream.statusCode()).as("event streams too").isEqualTo(401);
            assertThat(send(req(s, "/status").header("Authorization", "Bearer old-token-1")).statusCode()).isEqualTo(200);
            assertThat(send(req(s, "/status").header("Authorization", "bearer new-token-2")).statusCode())
                    .as("the scheme in any case (RFC 7235)").isEqualTo(200);
            assertThat(send(req(s, "/status").header("Authorization", "BEARER   new-token-2 ")).statusCode()).isEqualTo(200);
            assertThat(send(req(s, "/status").header("Authorization", "Bearer new-token")).statusCode()).isEqualTo(401);
            assertThat(send(req(s, "/status").header("Authorization", "Basic new-token-2")).statusCode()).isEqualTo(401);
            assertThat(s.port()).isPositive();
        }
        try (KindlingService s = service(settings("kindling.auth.token", "t0ken-x", "kindling.http.metrics-public", "true")).start()) {
            assertThat(send(req(s, "/metrics")).statusCode()).as("metrics opened on their own").isEqualTo(200);
            assertThat(send(req(s, "/status")).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aBodyThatIsNotJsonGets415SoABrowserCannotForgeAWrite() throws Exception {
        try (KindlingService s = service(settings()).start()) {
            HttpResponse<String> plain = send(req(s, "/echo").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
            assertThat(plain.statusCode()).isEqualTo(415);
            assertThat(Json.mapper().readTree(plain.body()).get("detail").asText())
                    .isEqualTo("POST /echo takes a JSON body: send it with 'Content-Type: application/json'; got 'text/plain'");
            assertThat(send(req(s, "/echo").header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("a=1"))).statusCode()).isEqualTo(415);
            assertThat(send(req(s, "/echo").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))).statusCode())
                    .as("no Content-Type at all").isEqualTo(415);
            assertThat(send(req(s, "/echo").header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))).body()).isEqualTo("{\"a\":1}");
        }
    }

    @Test
    void aWriteFromAPageOfAnotherSiteIs403EvenWithoutABody() throws Exception {
        try (KindlingService s = service(settings()).start()) {
            HttpResponse<String> forged = send(req(s, "/echo").header("Origin", "https://evil.example")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(Json.mapper().readTree(forged.body()).get("detail").asText())
                    .startsWith("POST /echo was sent by a web page of another site (Origin 'https://evil.example')");
            assertThat(send(req(s, "/echo").header("Sec-Fetch-Site", "cross-site")
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).as("body-less, by a fetch() of another site").isEqualTo(403);
            assertThat(send(req(s, "/echo").header("Origin", "null")
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).as("a sandboxed page").isEqualTo(403);
            assertThat(send(req(s, "/echo").header("Origin", "http://127.0.0.1:" + s.port())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))).body())
                    .as("a page of the service's own origin").isEqualTo("{\"a\":1}");
            assertThat(send(req(s, "/echo").header("Sec-Fetch-Site", "cross-site").GET()).statusCode())
                    .as("reads are not writes: no 403 for a GET").isNotEqualTo(403);
        }
    }

    @Test
    void waitingRequestsAndEventStreamsAreCapped() throws Exception {
        try (KindlingService s = service(settings("kindling.http.max-waiting", "1", "kindling.http.max-streams", "2")).start()) {
            holdStarted = new CountDownLatch(1);
            release = new CountDownLatch(1);
            var held = HTTP.sendAsync(req(s, "/hold?wait=10s").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(holdStarted.await(30, TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> second = send(req(s, "/hold?wait=10s"));
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(second.headers().firstValue("Retry-After")).contains("1");
            assertThat(send(req(s, "/status")).statusCode()).as("requests without ?wait= are not capped").isEqualTo(200);
            release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(send(req(s, "/hold?wait=10s")).statusCode()).as("the permit came back").isEqualTo(200);

            List<HttpResponse<InputStream>> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> r = HTTP.send(req(s, "/events").header("Accept", "text/event-stream").build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                open.add(r);
            }
            // The body is read only after the status: a third stream let through would otherwise block this test for ever.
            HttpResponse<InputStream> third = HTTP.send(req(s, "/events").header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = third.body()) {
                assertThat(third.statusCode()).isEqualTo(429);
                assertThat(Json.mapper().readTree(body).get("detail").asText()).startsWith("too many event streams are open");
            }
            for (HttpResponse<InputStream> r : open) {
                r.body().close();
            }
        }
    }

    @Test
    void problemDetailsAreRedacted() throws Exception {
        try (KindlingService s = service(settings()).start()) {
            HttpResponse<String> r = send(req(s, "/secret"));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).doesNotContain("pa55word").contains("jdbc:postgresql://app:****@db/x");
        }
    }

    @Test
    void theSparkUiIsOffAndItsKillLinksAreOffUnlessAskedFor() {
        KindlingService quiet = KindlingService.builder("ui").settings(settings()).component(new TestComponent("a")).build();
        assertThat(quiet.sparkDefaults()).containsEntry("spark.ui.enabled", "false").containsEntry("spark.ui.killEnabled", "false");
        KindlingService withUi = KindlingService.builder("ui").settings(settings("kindling.spark.ui", "true"))
                .component(new TestComponent("a")).build();
        assertThat(withUi.sparkDefaults()).containsEntry("spark.ui.enabled", "true").containsEntry("spark.ui.killEnabled", "false");
    }
}
