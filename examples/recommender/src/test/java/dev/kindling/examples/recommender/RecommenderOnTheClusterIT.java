package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.ReadmeCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkClusterTest;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone command of the README, run from its text: the recommender's modeler and predictor in the
 * spark-submit JVM, ALS training and scoring in executors on a real standalone cluster (they read the ratings from
 * the testkit's PostgreSQL themselves), with the answers {@link RecommenderIT} asserts on the embedded default.
 */
@KindlingSparkClusterTest
@KindlingPostgresTest
class RecommenderOnTheClusterIT {
    @Test
    void trainsAndPredictsOnTheCluster(SparkStandaloneCluster cluster, PostgresDatabase pg, @TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder b = ReadmeCommand.of("standalone").process(cluster, dir).redirectOutput(dir.resolve("readme.log").toFile());
        b.environment().putAll(Map.ofEntries(
                Map.entry("RECOMMENDER_JDBC_URL", pg.jdbcUrl()), Map.entry("RECOMMENDER_JDBC_USER", pg.user()),
                Map.entry("RECOMMENDER_JDBC_PASSWORD", pg.password()), Map.entry("RECOMMENDER_MODELS_DIR", dir.resolve("models").toString()),
                Map.entry("RECOMMENDER_SEED_RATINGS", "3000"), Map.entry("RECOMMENDER_GENERATOR_RATE", "0"),
                Map.entry("RECOMMENDER_GENERATOR_USERS", "200"), Map.entry("RECOMMENDER_GENERATOR_PRODUCTS", "50"),
                Map.entry("RECOMMENDER_ALS_RANK", "5"), Map.entry("RECOMMENDER_ALS_MAX_ITER", "5"),
                Map.entry("RECOMMENDER_INTERVAL", "1h"), Map.entry("KINDLING_CONTINUOUS_START_PAUSED", "true"),
                Map.entry("PORT", Integer.toString(port)), Map.entry("KINDLING_HTTP_HOST", "127.0.0.1")));
        Process p = b.start();
        try {
            JsonHttp http = new JsonHttp(port, null);
            await().atMost(Duration.ofMinutes(3)).ignoreExceptionsMatching(e -> !(e instanceof AssertionError)).until(() -> {
                assertThat(p.isAlive()).as(() -> log(dir)).isTrue();
                return http.get("/status").status() == 200;
            });
            // a cycle now, followed through /status (training on the cluster can outlast one HTTP request)
            assertThat(http.post("/cycles", "").status()).isEqualTo(202);
            await().atMost(Duration.ofMinutes(5)).until(() -> !http.get("/status").json()
                    .at("/components/modeler/details/lastCycle/outcome").asText().isEmpty());
            JsonNode cycle = http.get("/status").json().at("/components/modeler/details/lastCycle");
            assertThat(cycle.get("outcome").asText()).as(cycle.toString()).isEqualTo("PUBLISHED");
            assertThat(cycle.get("batchId").asLong()).isZero();
            assertThat(pg.queryForList("SELECT version, ratings_count, watermark, rank, max_iter FROM models ORDER BY version"))
                    .containsExactly(Map.of("version", 0L, "ratings_count", 3000L, "watermark", "LONG:3000", "rank", 5, "max_iter", 5));

            JsonNode ranked = finished(http, "/predictions/ranks", "{\"user\": 1, \"topk\": 3}");
            assertThat(ranked.get("state").asText()).as(ranked.toString()).isEqualTo("SUCCEEDED");
            assertThat(ranked.get("result").get("modelVersion").asLong()).isZero();
            Set<Integer> products = new HashSet<>();
            ranked.get("result").get("items").forEach(i -> products.add(i.get("product").asInt()));
            assertThat(products).hasSize(3).allMatch(id -> id >= 1 && id <= 50);

            JsonNode rated = finished(http, "/predictions/ratings", "{\"user\": 1, \"products\": [1, 999]}");
            assertThat(rated.get("state").asText()).as(rated.toString()).isEqualTo("SUCCEEDED");
            JsonNode r = rated.get("result").get("ratings");
            assertThat(List.of(r.get(0).get("product").asInt(), r.get(0).get("known").asBoolean(), r.get(1).get("product").asInt(),
                    r.get(1).get("known").asBoolean(), r.get(1).get("rating").isNull())).containsExactly(1, true, 999, false, true);
        } finally {
            p.toHandle().destroy();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(() -> log(dir)).isTrue();
        }
    }

    /** The job a prediction request started, once it ended (202 and its Location polled when it outlasts the wait). */
    private static JsonNode finished(JsonHttp http, String path, String body) {
        JsonHttp.Response r = http.post(path + "?wait=50s", body);
        if (r.status() == 200) {
            return r.json();
        }
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        String location = r.header("Location");
        await().atMost(Duration.ofMinutes(4))
                .until(() -> !List.of("QUEUED", "RUNNING").contains(http.get(location).json().get("state").asText()));
        return http.get(location).json();
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("readme.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
