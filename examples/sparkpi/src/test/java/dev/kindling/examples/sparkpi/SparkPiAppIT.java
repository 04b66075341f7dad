package dev.kindling.examples.sparkpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.ondemand.OnDemandService;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SparkPi service over real HTTP on a real local Spark. */
@KindlingSparkTest
class SparkPiAppIT {
    static OnDemandService service;
    static JsonHttp http;
    static SparkSession spark;

    @BeforeAll
    static void start(SparkSession session) {
        spark = session;
        service = SparkPiApp.service(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.workers", "2")), session).start();
        http = new JsonHttp(service.port(), null);
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 200);
    }

    @AfterAll
    static void stop() {
        service.shutdown();
    }

    @Test
    void bannerListsTheLinks() throws Exception {
        JsonHttp.Response r = http.get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("service").asText()).isEqualTo("sparkpi");
        assertThat(r.json().get("links")).isEqualTo(ControlPlane.json().readTree("""
                {"sync": "GET /sparkpi?samples=100000&partitions=2",
                 "async": "POST /jobs/sparkpi {\\"samples\\": N, \\"partitions\\": P}",
                 "jobs": "GET /jobs", "health": "GET /healthz", "ready": "GET /readyz", "metrics": "GET /metrics"}"""));
    }

    @Test
    void syncCallWithDefaults() {
        JsonHttp.Response r = http.get("/sparkpi");
        assertThat(r.status()).isEqualTo(200);
        List<String> fields = new ArrayList<>();
        r.json().fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("pi", "samples", "partitions", "durationMs");
        assertThat(r.json().get("samples").asLong()).isEqualTo(100_000L);
        assertThat(r.json().get("partitions").asInt()).isEqualTo(2);
        // standard error at 10^5 samples is about 0.005; 0.05 is ten of them
        assertThat(r.json().get("pi").asDouble()).isBetween(Math.PI - 0.05, Math.PI + 0.05);
        assertThat(r.json().get("durationMs").asLong()).isGreaterThanOrEqualTo(0L);
    }

    @Test
    void largeSampleIsWithinToleranceOfPi() {
        JsonHttp.Response r = http.get("/sparkpi?samples=20000000&partitions=4");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("samples").asLong()).isEqualTo(20_000_000L);
        assertThat(r.json().get("partitions").asInt()).isEqualTo(4);
        // standard error about 0.00037; 0.004 is ten of them
        assertThat(r.json().get("pi").asDouble()).isBetween(Math.PI - 0.004, Math.PI + 0.004);
    }

    @Test
    void paramsOutsideTheBoundsAre400NamingTheField() {
        Map<String, String[]> cases = Map.of(
                "/sparkpi?samples=0", new String[] {"samples", "1..10000000000"},
                "/sparkpi?samples=10000000001", new String[] {"samples", "1..10000000000"},
                "/sparkpi?partitions=0", new String[] {"partitions", "1..1000"},
                "/sparkpi?partitions=1001", new String[] {"partitions", "1..1000"},
                "/sparkpi?samples=lots", new String[] {"samples", "a value of type Long"},
                "/sparkpi?seed=1", new String[] {"seed", "partitions, samples"});
        cases.forEach((path, expected) -> {
            JsonHttp.Response r = http.get(path);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(r.json().get("field").asText()).as(path).isEqualTo(expected[0]);
            assertThat(r.json().get("allowed").asText()).as(path).isEqualTo(expected[1]);
        });
        JsonHttp.Response body = http.post("/jobs/sparkpi", "{\"samples\": 0, \"partitions\": 2}");
        assertThat(body.status()).isEqualTo(400);
        assertThat(body.json().get("detail").asText()).isEqualTo("'samples' is 0; allowed: 1..10000000000");
    }

    @Test
    void asyncJobShowsProgressAndCanBeCancelled() {
        JsonHttp.Response r = http.post("/jobs/sparkpi", "{\"samples\": 10000000000, \"partitions\": 400}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/jobs/" + id).json().get("progress").get("tasksCompleted").asInt() > 0);
        JsonNode running = http.get("/jobs/" + id).json();
        assertThat(running.get("state").asText()).isEqualTo("RUNNING");
        assertThat(running.get("progress").get("tasksTotal").asInt()).isEqualTo(400);
        assertThat(running.get("progress").get("stagesTotal").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(running.get("progress").get("percent").asDouble()).isBetween(0.1, 99.9);
        assertThat(http.delete("/jobs/" + id).json().get("state").asText()).isEqualTo("CANCELLED");
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
    }

    @Test
    void asyncJobWithWaitAnswersTheResult() {
        JsonHttp.Response r = http.post("/jobs/sparkpi?wait=30s", "{\"samples\": 1000000, \"partitions\": 2}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.json().get("result").get("samples").asLong()).isEqualTo(1_000_000L);
        assertThat(r.json().get("result").get("pi").asDouble()).isBetween(Math.PI - 0.02, Math.PI + 0.02);
    }
}
