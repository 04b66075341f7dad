package dev.kindling.examples.sparkpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
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

/** The SparkPi service over real HTTP on a real local Spark, wired as {@link SparkPiApp#main} wires it. */
@KindlingSparkTest
class SparkPiAppIT {
    static KindlingService service;
    static JsonHttp http;
    static SparkSession spark;

    @BeforeAll
    static void start(SparkSession session) {
        spark = session;
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.workers", "2"));
        service = KindlingService.builder(SparkPiApp.JOB).settings(settings).spark(session)
                .component(SparkPiApp.jobs(settings)).routes(SparkPiApp::banner).start();
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
        assertThat(r.json().get("links")).isEqualTo(Json.mapper().readTree("""
                {"sync": "GET /sparkpi?samples=100000&partitions=2",
                 "async": "POST /jobs/sparkpi {\\"samples\\": N, \\"partitions\\": P}",
                 "jobs": "GET /jobs", "health": "GET /healthz", "ready": "GET /readyz", "status": "GET /status",
                 "metrics": "GET /metrics"}"""));
    }

    @Test
    void syncCallWithDefaultsAnswersTheEstimateOfTheSeedItDrew() {
        JsonHttp.Response r = http.get("/sparkpi");
        assertThat(r.status()).isEqualTo(200);
        List<String> fields = new ArrayList<>();
        r.json().fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("pi", "samples", "partitions", "seed", "durationMs");
        long seed = r.json().get("seed").asLong();
        SparkPi.Result local = SparkPi.estimate(spark, 100_000L, 2, seed);
        assertThat(List.of(r.json().get("pi").asDouble(), r.json().get("samples").asLong(), r.json().get("partitions").asInt()))
                .isEqualTo(List.of(local.pi(), 100_000L, 2));
    }

    @Test
    void aSeededEstimateIsTheSameOverHttpAsInProcess() {
        JsonHttp.Response r = http.get("/sparkpi?samples=20000000&partitions=4&seed=42");
        assertThat(r.status()).isEqualTo(200);
        SparkPi.Result local = SparkPi.estimate(spark, 20_000_000L, 4, 42L);
        assertThat(List.of(r.json().get("pi").asDouble(), r.json().get("samples").asLong(), r.json().get("partitions").asInt(),
                r.json().get("seed").asLong())).isEqualTo(List.of(local.pi(), 20_000_000L, 4, 42L));
        // and a sound estimate: the standard error at 2·10^7 samples is about 0.00037; 0.004 is ten of them
        assertThat(local.pi()).isBetween(Math.PI - 0.004, Math.PI + 0.004);
        // another seed, another estimate
        assertThat(SparkPi.estimate(spark, 20_000_000L, 4, 43L).pi()).isNotEqualTo(local.pi());
    }

    @Test
    void paramsOutsideTheBoundsAre400NamingTheField() {
        Map<String, String[]> cases = Map.of(
                "/sparkpi?samples=0", new String[] {"samples", "1..10000000000"},
                "/sparkpi?samples=10000000001", new String[] {"samples", "1..10000000000"},
                "/sparkpi?partitions=0", new String[] {"partitions", "1..1000"},
                "/sparkpi?partitions=1001", new String[] {"partitions", "1..1000"},
                "/sparkpi?samples=lots", new String[] {"samples", "a value of type Long"},
                "/sparkpi?seed=x", new String[] {"seed", "a value of type Long"},
                "/sparkpi?sample=1", new String[] {"sample", "partitions, samples, seed"});
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
    void asyncJobWithWaitAnswersTheSeededResult() {
        JsonHttp.Response r = http.post("/jobs/sparkpi?wait=30s", "{\"samples\": 1000000, \"partitions\": 2, \"seed\": 7}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("SUCCEEDED");
        JsonNode result = r.json().get("result");
        assertThat(List.of(result.get("pi").asDouble(), result.get("samples").asLong(), result.get("seed").asLong()))
                .isEqualTo(List.of(SparkPi.estimate(spark, 1_000_000L, 2, 7L).pi(), 1_000_000L, 7L));
    }
}
