package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.continuous.CommittedBatch;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: ratings in PostgreSQL → a new model version → the predictor answers with it. */
@KindlingSparkTest
@KindlingPostgresTest
class RecommenderIT {
    @TempDir
    Path models;

    private JsonHttp http;

    private JsonHttp.Response post(String path, String body) {
        return http.post(path, body);
    }

    private JsonHttp.Response get(String path) {
        return http.get(path);
    }

    private static JsonNode json(JsonHttp.Response r) {
        return r.json();
    }

    @Test
    void newRatingsReachANewModelVersionAndThePredictorAnswersWithIt(PostgresDatabase pg, SparkSession spark) throws Exception {
        JdbcEndpoint db = new JdbcEndpoint(pg.jdbcUrl(), pg.user(), Secret.of(pg.password()));
        Settings settings = Settings.of(Map.ofEntries(
                Map.entry("kindling.http.port", "0"), Map.entry("kindling.http.host", "127.0.0.1"),
                Map.entry("kindling.continuous.start-paused", "true"),
                Map.entry("recommender.seed.ratings", "3000"), Map.entry("recommender.generator.rate", "0"),
                Map.entry("recommender.generator.users", "200"), Map.entry("recommender.generator.products", "50"),
                Map.entry("recommender.als.rank", "5"), Map.entry("recommender.als.max-iter", "5"),
                Map.entry("recommender.interval", "1h")));
        KindlingService service = RecommenderApp.service(db, settings, models.toString()).spark(spark).build().start();
        http = new JsonHttp(service.port(), null);
        try {
            assertThat(json(get("/status")).get("components").toString())
                    .as("one service: modeler, predictor jobs, generator").contains("\"modeler\"", "\"predictions\"", "\"generator\"");
            // no model yet
            JsonHttp.Response early = post("/predictions/ranks", "{\"user\": 1, \"topk\": 3}");
            assertThat(early.status()).isEqualTo(503);
            assertThat(json(early).get("detail").asText()).isEqualTo("the modeler has not published a model yet; try again later");

            JsonNode first = json(post("/cycles?wait=180s", ""));
            assertThat(first.get("outcome").asText()).as(first.toString()).isEqualTo("PUBLISHED");
            assertThat(first.get("batchId").asLong()).isZero();
            assertThat(pg.queryForList("SELECT version, ratings_count, watermark, rank, max_iter FROM models ORDER BY version"))
                    .containsExactly(Map.of("version", 0L, "ratings_count", 3000L, "watermark", "LONG:3000", "rank", 5, "max_iter", 5));
            assertThat(pg.queryForObject("SELECT rmse FROM models WHERE version = 0", Double.class)).isBetween(0.3, 2.0);

            JsonHttp.Response ranked = post("/predictions/ranks?wait=60s", "{\"user\": 1, \"topk\": 3}");
            assertThat(ranked.status()).isEqualTo(200);
            JsonNode job = json(ranked);
            assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.get("result").get("modelVersion").asLong()).isZero();
            Set<Integer> products = new HashSet<>();
            job.get("result").get("items").forEach(i -> products.add(i.get("product").asInt()));
            assertThat(products).hasSize(3).allMatch(p -> p >= 1 && p <= 50);

            JsonHttp.Response unknown = post("/predictions/ranks?wait=60s", "{\"user\": 201, \"topk\": 3}");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
            assertThat(json(unknown).get("detail").asText())
                    .isEqualTo("user 201 has no ratings in model version 0; a user is known after the first model trained on their ratings");

            // a new user who loves products 1..15 and hates 16..30
            for (int p = 1; p <= 30; p++) {
                pg.update("INSERT INTO ratings (user_id, product_id, rating) VALUES (?, ?, ?)", 201, p, p <= 15 ? 5.0f : 1.0f);
            }
            JsonNode second = json(post("/cycles?wait=180s", ""));
            assertThat(second.get("outcome").asText()).as(second.toString()).isEqualTo("PUBLISHED");
            assertThat(second.get("batchId").asLong()).isEqualTo(1L);
            assertThat(second.get("rowsRead").asLong()).isEqualTo(30L);
            assertThat(pg.queryForList("SELECT version, ratings_count, watermark FROM models ORDER BY version")).containsExactly(
                    Map.of("version", 0L, "ratings_count", 3000L, "watermark", "LONG:3000"),
                    Map.of("version", 1L, "ratings_count", 3030L, "watermark", "LONG:3030"));

            JsonHttp.Response rated = post("/predictions/ratings?wait=60s", "{\"user\": 201, \"products\": [1, 16, 999]}");
            assertThat(rated.status()).as(rated.body()).isEqualTo(200);
            JsonNode result = json(rated).get("result");
            assertThat(result.get("modelVersion").asLong()).isEqualTo(1L);
            JsonNode r = result.get("ratings");
            assertThat(List.of(r.get(0).get("product").asInt(), r.get(1).get("product").asInt(), r.get(2).get("product").asInt()))
                    .containsExactly(1, 16, 999);
            assertThat(r.get(0).get("known").asBoolean()).isTrue();
            assertThat(r.get(2).get("known").asBoolean()).isFalse();
            assertThat(r.get(2).get("rating").isNull()).isTrue();
            assertThat(r.get(0).get("rating").asDouble()).as("loved product beats hated one: %s", r)
                    .isGreaterThan(r.get(1).get("rating").asDouble() + 1.0);

            // asynchronous use: 202, Location, polling
            JsonHttp.Response accepted = post("/predictions/ranks", "{\"user\": 201, \"topk\": 2}");
            assertThat(accepted.status()).isEqualTo(202);
            String location = accepted.header("Location");
            assertThat(location).startsWith("/jobs/");
            await().atMost(Duration.ofSeconds(60)).until(() -> json(get(location)).get("state").asText().equals("SUCCEEDED"));
            JsonNode polled = json(get(location));
            assertThat(polled.get("result").get("modelVersion").asLong()).isEqualTo(1L);
            assertThat(polled.get("result").get("items")).hasSize(2);

            // bad input: a clear 400 each, nothing queued
            assertBad(post("/predictions/ranks", "{\"user\": \"x\"}"), "user", "field 'user' must be a whole number from 1 to 2147483647; got \"x\"");
            assertBad(post("/predictions/ranks", "{\"user\": 1, \"topk\": 0}"), "topk", "field 'topk' must be a whole number from 1 to 100; got 0");
            assertBad(post("/predictions/ranks", "{\"topk\": 3}"), "user", "field 'user' is required");
            assertBad(post("/predictions/ratings", "{\"user\": 1, \"products\": []}"), "products",
                    "field 'products' must be an array of 1 to 1000 product ids; got []");
            JsonHttp.Response badWait = post("/predictions/ranks?wait=soon", "{\"user\": 1}");
            assertThat(badWait.status()).isEqualTo(400);
            assertThat(json(badWait).get("parameter").asText()).isEqualTo("wait");
            assertThat(json(badWait).get("detail").asText())
                    .isEqualTo("'wait' is 'soon'; expected a duration from 1ms to 1m, such as 500ms, 10s, 5m");
            JsonHttp.Response notJson = post("/predictions/ranks", "user=1");
            assertThat(notJson.status()).isEqualTo(400);
            assertThat(json(notJson).get("field").asText()).isEqualTo("body");
            assertThat(get("/jobs/nope").status()).isEqualTo(404);
            assertThat(json(get("/models"))).hasSize(2);
        } finally {
            service.shutdown();
        }
        assertThat(service.overran()).isEmpty();

        // tag::crash[]
        // A cycle that fails after the model was saved, before the commit: the retry republishes
        // the same version; no version is listed or stored twice.
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        ContinuousRunner modeler = Modeler.runner(db, models.toString(), new AlsParams(5, 5, 0.1, 42), Duration.ofHours(1))
                .startPaused(true)
                .listener(new CycleListener() {
                    @Override
                    public void afterPublish(long batchId, CommittedBatch pending) {
                        if (crashOnce.getAndSet(false)) {
                            throw new IllegalStateException("simulated crash after publishing batch " + batchId);
                        }
                    }
                }).build();
        KindlingService alone = KindlingService.builder("modeler").settings(settings).spark(spark).component(modeler).start();
        pg.update("INSERT INTO ratings (user_id, product_id, rating) VALUES (?, ?, ?)", 202, 1, 4.0f);
        CycleReport crashed = modeler.runOnce();
        assertThat(crashed).extracting(CycleReport::batchId, CycleReport::outcome).containsExactly(2L, CycleOutcome.FAILED);
        assertThat(pg.queryForObject("SELECT count(*) FROM models", Long.class)).isEqualTo(2L);
        CycleReport repaired = modeler.runOnce();
        assertThat(repaired).extracting(CycleReport::batchId, CycleReport::outcome).containsExactly(2L, CycleOutcome.PUBLISHED);
        assertThat(pg.queryForList("SELECT version, ratings_count FROM models ORDER BY version")).containsExactly(
                Map.of("version", 0L, "ratings_count", 3000L), Map.of("version", 1L, "ratings_count", 3030L),
                Map.of("version", 2L, "ratings_count", 3031L));
        try (Stream<Path> dirs = Files.list(models)) {
            assertThat(dirs.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted())
                    .containsExactly("v=0", "v=1", "v=2");
        }
        // end::crash[]
        alone.shutdown();
    }

    private static void assertBad(JsonHttp.Response response, String field, String detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode body = json(response);
        assertThat(body.get("field").asText()).isEqualTo(field);
        assertThat(body.get("detail").asText()).isEqualTo(detail);
    }
}
