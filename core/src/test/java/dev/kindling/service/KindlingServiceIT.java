package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.spark.SparkSessions;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A service over a real socket: control plane, components in order, status, failure, the shared deadline. */
class KindlingServiceIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = SparkSessions.create("kindling-service-it", Map.of("spark.master", "local[1]", "spark.ui.enabled", "false"),
                Settings.of(Map.of()));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Settings settings(String... more) {
        Map<String, String> m = new HashMap<>(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.shutdown.grace", "3s", "kindling.http.max-request-bytes", "100"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return Settings.of(m);
    }

    private static HttpResponse<String> send(KindlingService s, HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder req(KindlingService s, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void controlPlaneAnswersHealthReadinessMetricsAndProblems() throws Exception {
        TestComponent a = new TestComponent("a");
        try (KindlingService s = KindlingService.builder("svc").settings(settings("kindling.auth.token", "t0ken")).spark(spark)
                .component(a)
                .routes(r -> r.post("/echo", ctx -> ctx.json(ctx.bodyAsClass(Map.class)))
                        .get("/missing/{id}", ctx -> {
                            throw ProblemException.notFound("no thing has the id " + ctx.pathParam("id"));
                        })
                        .get("/boom", ctx -> {
                            throw new IllegalStateException("secret internals");
                        }))
                .start()) {
            assertThat(send(s, req(s, "/healthz")).body()).isEqualTo("{\"status\":\"up\",\"service\":\"svc\"}");
            assertThat(send(s, req(s, "/a/hello")).statusCode()).as("every route but the probes needs the token").isEqualTo(401);
            a.ready.set(false);
            HttpResponse<String> notReady = send(s, req(s, "/readyz"));
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("{\"status\":\"not ready\",\"checks\":{\"a\":\"not ready: a is warming up\"}}");
            a.ready.set(true);
            assertThat(send(s, req(s, "/readyz")).body()).isEqualTo("{\"status\":\"ready\",\"checks\":{\"a\":\"ready\"}}");
            assertThat(send(s, req(s, "/a/hello").header("Authorization", "Bearer t0ken")).body()).isEqualTo("{\"hello\":\"a\"}");

            String metrics = send(s, req(s, "/metrics").header("Authorization", "Bearer t0ken")).body();
            assertThat(metrics).contains("kindling_test_starts_total{pipeline=\"a\",service=\"svc\"} 1.0")
                    .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/a/hello\",service=\"svc\",status=\"200\"} 1")
                    .contains("jvm_memory_used_bytes");

            HttpResponse<String> noToken = send(s, req(s, "/echo").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"svc\"");
            HttpResponse<String> echoed = send(s, req(s, "/echo").header("Authorization", "Bearer t0ken")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
            assertThat(echoed.body()).isEqualTo("{\"a\":1}");
            HttpResponse<String> big = send(s, req(s, "/echo").header("Authorization", "Bearer t0ken")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":\"" + "x".repeat(200) + "\"}")));
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(json(big).get("detail").asText())
                    .isEqualTo("the request body has 208 bytes; the limit is 100 (setting kindling.http.max-request-bytes)");
            byte[] chunked = ("{\"a\":\"" + "x".repeat(500) + "\"}").getBytes(StandardCharsets.UTF_8);
            assertThat(send(s, req(s, "/echo").header("Authorization", "Bearer t0ken").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers
                    .ofInputStream(() -> new java.io.ByteArrayInputStream(chunked)))).statusCode()).isEqualTo(413);

            HttpResponse<String> missing = send(s, req(s, "/missing/42").header("Authorization", "Bearer t0ken"));
            assertThat(missing.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
            assertThat(missing.body()).isEqualTo(
                    "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no thing has the id 42\"}");
            assertThat(json(send(s, req(s, "/nowhere").header("Authorization", "Bearer t0ken"))).get("status").asInt()).isEqualTo(404);
            assertThat(send(s, req(s, "/a/hello").header("Authorization", "Bearer t0ken").DELETE()).statusCode()).isEqualTo(405);
            HttpResponse<String> malformed = send(s, req(s, "/echo").header("Authorization", "Bearer t0ken")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":")));
            assertThat(json(malformed).get("detail").asText()).startsWith("malformed JSON");
            HttpResponse<String> boom = send(s, req(s, "/boom").header("Authorization", "Bearer t0ken"));
            assertThat(boom.statusCode()).isEqualTo(500);
            assertThat(boom.body()).doesNotContain("secret internals").doesNotContain("at dev.kindling");
            assertThat(json(boom).get("errorId").asText()).hasSize(36);
        }
    }

    @Test
    void statusListsComponentsInOrderInOneShape() throws Exception {
        try (KindlingService s = KindlingService.builder("svc").settings(settings()).spark(spark)
                .component(new TestComponent("first")).component(new TestComponent("second")).start()) {
            JsonNode status = json(send(s, req(s, "/status")));
            assertThat(status.get("service").asText()).isEqualTo("svc");
            assertThat(status.get("state").asText()).isEqualTo("RUNNING");
            assertThat(List.copyOf(iterable(status.get("components").fieldNames()))).containsExactly("first", "second");
            JsonNode first = status.get("components").get("first");
            assertThat(List.copyOf(iterable(first.fieldNames())))
                    .containsExactly("pattern", "state", "since", "ready", "readiness", "lastError", "details");
            assertThat(first.get("pattern").asText()).isEqualTo("test");
            assertThat(first.get("state").asText()).isEqualTo("RUNNING");
            assertThat(first.get("details").toString()).isEqualTo("{\"name\":\"first\"}");
            assertThat(first.get("lastError").isNull()).isTrue();
        }
    }

    @Test
    void theOpenApiDocumentListsExactlyTheServedRoutes() throws Exception {
        try (KindlingService s = KindlingService.builder("svc").settings(settings()).spark(spark)
                .component(new TestComponent("a"))
                .routes(r -> r.post("/things/{id}", "replaces a thing", ctx -> { })
                        .sse("/things/{id}/events", "what happens to a thing", null, client -> { }))
                .start()) {
            JsonNode doc = json(send(s, req(s, "/openapi.json")));
            assertThat(doc.get("openapi").asText()).isEqualTo("3.0.3");
            assertThat(doc.get("info").get("title").asText()).isEqualTo("svc");
            List<String> documented = new java.util.ArrayList<>();
            doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
            assertThat(documented).containsExactlyInAnyOrderElementsOf(s.servedEndpoints());
            assertThat(documented).containsExactlyInAnyOrder("GET /healthz", "GET /readyz", "GET /metrics", "GET /status",
                    "GET /openapi.json", "GET /a/hello", "POST /things/{id}", "GET /things/{id}/events");
            JsonNode post = doc.get("paths").get("/things/{id}").get("post");
            assertThat(post.get("summary").asText()).isEqualTo("replaces a thing");
            assertThat(post.get("tags").toString()).isEqualTo("[\"service svc\"]");
            assertThat(post.get("parameters").get(0).get("name").asText()).isEqualTo("id");
            assertThat(doc.at("/paths/~1things~1{id}~1events/get/responses/200/content").fieldNames().next()).isEqualTo("text/event-stream");
            assertThat(doc.at("/paths/~1a~1hello/get/tags/0").asText()).isEqualTo("component a");
        }
    }

    @Test
    void componentsStartInOrderAndStopInReverseThenResourcesClose() {
        List<String> journal = new CopyOnWriteArrayList<>();
        KindlingService s = KindlingService.builder("svc").settings(settings()).spark(spark)
                .resource("database", () -> journal.add("close database"))
                .resource("broker", () -> journal.add("close broker"))
                .component(new TestComponent("one", journal))
                .component(new TestComponent("two", journal))
                .start();
        s.shutdown();
        assertThat(journal).containsExactly("start one", "start two", "stop two", "stop one", "close broker", "close database");
        assertThat(s.overran()).isEmpty();
        assertThat(s.status().components().get("one").state()).isEqualTo(ComponentState.STOPPED);
        assertThat(s.status().state()).isEqualTo(ComponentState.STOPPED);
    }

    @Test
    void aStartThatFailsStopsWhatStartedAndThrows() {
        List<String> journal = new CopyOnWriteArrayList<>();
        TestComponent bad = new TestComponent("bad", journal);
        bad.failStart = true;
        KindlingService s = KindlingService.builder("svc").settings(settings()).spark(spark)
                .resource("database", () -> journal.add("close database"))
                .component(new TestComponent("good", journal)).component(bad).build();
        assertThatThrownBy(s::start).isInstanceOf(ConfigurationException.class).hasMessage("bad cannot start: on purpose");
        assertThat(journal).containsExactly("start good", "start bad", "stop bad", "stop good", "close database");
    }

    @Test
    void aThrowableOnAComponentThreadFailsItAndLivenessFollowsAfterTheGrace() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        TestComponent a = new TestComponent("a");
        try (KindlingService s = KindlingService.builder("svc").settings(settings("kindling.service.liveness-failure-grace", "30s"))
                .spark(spark).clock(clock).component(a).start()) {
            a.toThrow = new LinkageError("simulated: a class the worker needs is missing");
            a.throwNow.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> s.status().components().get("a").state() == ComponentState.FAILED);
            JsonNode entry = json(send(s, req(s, "/status"))).get("components").get("a");
            assertThat(entry.get("ready").asBoolean()).isFalse();
            assertThat(entry.get("since").asText()).isEqualTo("2026-11-26T10:00:00Z");
            assertThat(entry.get("lastError").get("message").asText()).isEqualTo("simulated: a class the worker needs is missing");
            assertThat(entry.get("lastError").get("kind").asText()).isEqualTo("PERMANENT");
            assertThat(send(s, req(s, "/readyz")).statusCode()).isEqualTo(503);
            assertThat(send(s, req(s, "/healthz")).statusCode()).as("within the liveness grace").isEqualTo(200);
            clock.advance(Duration.ofSeconds(30));
            HttpResponse<String> dead = send(s, req(s, "/healthz"));
            assertThat(dead.statusCode()).isEqualTo(503);
            assertThat(json(dead).get("checks").get("a").asText())
                    .isEqualTo("FAILED since 2026-11-26T10:00:00Z: simulated: a class the worker needs is missing");
        }
    }

    @Test
    void theDeadlineHoldsWhenAStopHangs() {
        List<String> journal = new CopyOnWriteArrayList<>();
        TestComponent stuck = new TestComponent("stuck", journal);
        stuck.hangInStop = true;
        KindlingService s = KindlingService.builder("svc").settings(settings("kindling.shutdown.grace", "1s")).spark(spark)
                .resource("database", () -> journal.add("close database"))
                .component(new TestComponent("fine", journal)).component(stuck).start();
        s.shutdown();
        assertThat(s.overran()).containsExactly("component stuck");
        assertThat(journal).containsExactly("start fine", "start stuck", "stop stuck", "stop fine", "close database");
        assertThat(s.status().components().get("stuck").state()).isEqualTo(ComponentState.STOPPING);
        assertThat(s.status().components().get("fine").state()).isEqualTo(ComponentState.STOPPED);
    }

    @Test
    void eventStreamsAreClosedWithAShutdownEventWhenDrainingStarts() throws Exception {
        KindlingService s = KindlingService.builder("svc").settings(settings("kindling.shutdown.grace", "30s")).spark(spark)
                .routes(r -> r.sse("/events", client -> {
                    client.keepAlive();
                    client.sendEvent("hello", Map.of("n", 1));
                }))
                .start();
        HttpResponse<String> plain = send(s, req(s, "/events"));
        assertThat(plain.statusCode()).isEqualTo(406);
        assertThat(json(plain).get("detail").asText()).startsWith("/events is a stream of Server-Sent Events: send the header");
        HttpResponse<InputStream> stream = HTTP.send(req(s, "/events").header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isEqualTo("event: hello");
        s.shutdown();
        assertThat(s.overran()).as("an open stream does not hold the drain").isEmpty();
        StringBuilder rest = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            rest.append(line).append('\n');
        }
        assertThat(rest.toString()).contains("event: shutdown\ndata: {\"service\":\"svc\",\"reason\":\"the service is shutting down\"}");
    }

    @Test
    void theComponentsDependenciesAreCheckedOnceEachAtReadyzAndTheirProbesClosedLast() throws Exception {
        List<String> journal = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean databaseUp = new java.util.concurrent.atomic.AtomicBoolean(true);
        Dependency database = Dependency.of("database jdbc:postgresql://db:5432/shop", () -> new Dependency.Probe() {
            @Override
            public void check() {
                journal.add("check database");
                if (!databaseUp.get()) {
                    throw new dev.kindling.ipp.TransientException("cannot connect to jdbc:postgresql://db:5432/shop?password=hunter2 (connection refused)");
                }
            }

            @Override
            public void close() {
                journal.add("close database probe");
            }
        });
        Dependency brokers = Dependency.of("kafka broker:9092", () -> () -> journal.add("check kafka"));
        TestComponent a = new TestComponent("a", journal);
        a.dependencies = List.of(database, brokers);
        TestComponent b = new TestComponent("b", journal);
        b.dependencies = List.of(database);
        KindlingService s = KindlingService.builder("svc").settings(settings()).spark(spark).component(a).component(b)
                .readiness("kafka broker:9092", () -> Health.up()) // the app's own check of that name wins
                .resource("database", () -> journal.add("close database")).start();
        try {
            HttpResponse<String> ready = send(s, req(s, "/readyz"));
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(iterable(json(ready).get("checks").fieldNames()))
                    .containsExactly("a", "b", "kafka broker:9092", "database jdbc:postgresql://db:5432/shop");
            assertThat(journal).containsExactly("start a", "start b", "check database");

            databaseUp.set(false);
            HttpResponse<String> down = send(s, req(s, "/readyz"));
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(json(down).get("checks").get("database jdbc:postgresql://db:5432/shop").asText())
                    .isEqualTo("not ready: cannot connect to jdbc:postgresql://db:5432/shop?password=**** (connection refused)");
            assertThat(down.body()).doesNotContain("hunter2");
            assertThat(s.isReady()).isFalse();
        } finally {
            s.shutdown();
        }
        assertThat(journal.subList(journal.indexOf("stop b"), journal.size()))
                .containsExactly("stop b", "stop a", "close database", "close database probe");
    }

    @Test
    void aRouteRegisteredTwiceFailsTheBuildNamingBothOwners() {
        TestComponent a = new TestComponent("a");
        assertThatThrownBy(() -> KindlingService.builder("svc").settings(settings()).component(a)
                .routes(r -> r.get("/a/hello", ctx -> { })).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the route GET /a/hello is registered twice: by component a and by service svc; "
                        + "give one of them another path (a prefix)");
        assertThatThrownBy(() -> KindlingService.builder("svc").routes(r -> r.get("/status", ctx -> { })).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("the route GET /status is registered twice: by the service and by service svc");
        assertThatThrownBy(() -> KindlingService.builder("svc").component(new TestComponent("x")).component(new TestComponent("x")))
                .isInstanceOf(ConfigurationException.class).hasMessage("service svc has two components named 'x'");
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
