package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender while its PostgreSQL server is stopped and started again under the running service:
 * {@code /readyz} turns 503 within 10 s and names the database; a prediction answers 503 with
 * {@code Retry-After} and a problem+json detail that names the database (never its password, never a
 * 500); liveness stays up, so an orchestrator waits instead of restarting the pod. Once the server is
 * back, readiness returns by itself, a prediction gives the same answer as before the outage, and a
 * cycle trains and publishes the next model version.
 */
@KindlingSparkTest
class DatabaseOutageIT {
    /** The server trusts local connections, so any password works: this one must never show. */
    private static final String PASSWORD = "outage-pw-7f3a9c";
    private static final Duration READINESS_BOUND = Duration.ofSeconds(10);
    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private static final Duration CYCLE = Duration.ofMinutes(5);

    @TempDir
    Path models;

    @Test
    void answers503NamingTheDatabaseWhileItIsStoppedAndRecoversWhenItIsBack(SparkSession spark) {
        try (PostgresServer server = PostgresServer.start()) {
            PostgresDatabase pg = server.createDatabase("recommender");
            JdbcEndpoint db = new JdbcEndpoint(pg.jdbcUrl(), pg.user(), Secret.of(PASSWORD));
            Settings settings = Settings.of(Map.ofEntries(
                    Map.entry("kindling.http.port", "0"), Map.entry("kindling.http.host", "127.0.0.1"),
                    Map.entry("kindling.continuous.start-paused", "true"),
                    Map.entry("recommender.seed.ratings", "3000"), Map.entry("recommender.generator.rate", "0"),
                    Map.entry("recommender.generator.users", "200"), Map.entry("recommender.generator.products", "50"),
                    Map.entry("recommender.als.rank", "5"), Map.entry("recommender.als.max-iter", "5"),
                    Map.entry("recommender.interval", "1h")));
            KindlingService service = RecommenderApp.service(db, settings, models.toString()).spark(spark).build().start();
            JsonHttp http = new JsonHttp(service.port(), null);
            try {
                JsonNode first = cycle(http, 0);
                assertThat(first.get("rowsRead").asLong()).isEqualTo(3000L);
                await().atMost(RECOVERY).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                assertThat(http.get("/readyz").json().get("checks").get("database " + pg.jdbcUrl()).asText()).isEqualTo("ready");
                JsonNode before = ranks(http);

                long stoppedAt = System.nanoTime();
                server.stop();
                await().atMost(READINESS_BOUND).pollInterval(Duration.ofMillis(200))
                        .until(() -> http.get("/readyz").status() == 503);
                Duration notReadyAfter = Duration.ofNanos(System.nanoTime() - stoppedAt);
                assertThat(notReadyAfter).as("from the stop to /readyz 503").isLessThanOrEqualTo(READINESS_BOUND);
                JsonNode readyz = http.get("/readyz").json();
                assertThat(readyz.get("status").asText()).isEqualTo("not ready");
                assertThat(readyz.get("checks").get("database " + pg.jdbcUrl()).asText())
                        .startsWith("not ready: cannot connect to " + pg.jdbcUrl() + ": Connection to localhost:" + server.port() + " refused")
                        .doesNotContain(PASSWORD);
                assertThat(http.get("/healthz").status()).as("liveness is not about dependencies").isEqualTo(200);

                for (String[] request : List.of(new String[] {"/predictions/ranks?wait=45s", "{\"user\": 1, \"topk\": 3}"},
                        new String[] {"/predictions/ratings?wait=45s", "{\"user\": 1, \"products\": [1, 2]}"})) {
                    assertDependencyAway(http.post(request[0], request[1]), pg, server.port());
                }
                assertDependencyAway(http.get("/models"), pg, server.port());

                server.restart();
                await().atMost(RECOVERY).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                assertThat(ranks(http)).as("the same model answers the same").isEqualTo(before);

                // a new user who loves products 1..15 and hates 16..30, trained into the next version
                for (int p = 1; p <= 30; p++) {
                    pg.update("INSERT INTO ratings (user_id, product_id, rating) VALUES (?, ?, ?)", 201, p, p <= 15 ? 5.0f : 1.0f);
                }
                JsonNode second = cycle(http, 1);
                assertThat(second.get("rowsRead").asLong()).isEqualTo(30L);
                assertThat(pg.queryForList("SELECT version, ratings_count FROM models ORDER BY version")).containsExactly(
                        Map.of("version", 0L, "ratings_count", 3000L), Map.of("version", 1L, "ratings_count", 3030L));
                JsonNode result = predict(http, "/predictions/ratings", "{\"user\": 201, \"products\": [1, 16]}").get("result");
                assertThat(result.get("modelVersion").asLong()).isEqualTo(1L);
                JsonNode r = result.get("ratings");
                assertThat(r.get(0).get("rating").asDouble()).as("loved product beats hated one: %s", r)
                        .isGreaterThan(r.get(1).get("rating").asDouble() + 1.0);
            } finally {
                service.shutdown();
            }
            assertThat(service.overran()).isEmpty();
        }
    }

    /** Runs a cycle (202, then its report in {@code /status}) and checks that it published batch {@code batchId}. */
    private static JsonNode cycle(JsonHttp http, long batchId) {
        JsonHttp.Response requested = http.post("/cycles", "");
        assertThat(requested.status()).as(requested.body()).isEqualTo(202);
        await().atMost(CYCLE).pollInterval(Duration.ofSeconds(1)).until(() ->
                http.get("/status").json().at("/components/modeler/details/lastCycle/batchId").asLong(-1) == batchId);
        JsonNode report = http.get("/status").json().at("/components/modeler/details/lastCycle");
        assertThat(report.get("outcome").asText()).as(report.toString()).isEqualTo("PUBLISHED");
        return report;
    }

    /** The ranks of user 1 from the model in use: its version and items, exactly as answered. */
    private static JsonNode ranks(JsonHttp http) {
        JsonNode job = predict(http, "/predictions/ranks", "{\"user\": 1, \"topk\": 3}");
        assertThat(job.at("/result/modelVersion").asLong()).isZero();
        assertThat(job.at("/result/items")).hasSize(3);
        return job.get("result");
    }

    /** Runs a prediction job and returns it once it has ended, which must be SUCCEEDED. */
    private static JsonNode predict(JsonHttp http, String path, String body) {
        JsonHttp.Response submitted = http.post(path + "?wait=45s", body);
        assertThat(submitted.status()).as(submitted.body()).isIn(200, 202);
        String location = submitted.header("Location");
        await().atMost(CYCLE).until(() -> http.get(location).json().get("state").asText().matches("SUCCEEDED|FAILED|CANCELLED"));
        JsonNode job = http.get(location).json();
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }

    private static void assertDependencyAway(JsonHttp.Response response, PostgresDatabase pg, int port) {
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.header("Retry-After")).as("Retry-After").matches("[1-9][0-9]*");
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(503);
        assertThat(problem.get("detail").asText())
                .startsWith("a dependency did not answer: cannot connect to " + pg.jdbcUrl() + ": Connection to localhost:" + port + " refused");
        assertThat(response.body()).doesNotContain(PASSWORD).doesNotContain("password");
    }
}
