package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender, with a token and a first model, against the hostile-input battery over real HTTP:
 * the predictor's JSON routes ({@code /predictions/ranks}, {@code /predictions/ratings}), the modeler's
 * actions ({@code /cycles}, {@code /pause}, {@code /resume}), the job, model and status routes, and 200
 * event streams of a prediction job at once. Only 4xx or 429 answers; afterwards the predictor still
 * ranks and rates for a known user.
 */
@KindlingSparkTest
@KindlingPostgresTest
class RecommenderHostileInputsIT {
    private static final String TOKEN = "recommender-hostile-t0ken";

    @TempDir
    Path models;

    @Test
    void everyHostileRequestGetsA4xxOr429AndThePredictorAnswersAfterwards(PostgresDatabase pg, SparkSession spark) {
        JdbcEndpoint db = new JdbcEndpoint(pg.jdbcUrl(), pg.user(), Secret.of(pg.password()));
        Settings settings = Settings.of(Map.ofEntries(
                Map.entry("kindling.http.port", "0"), Map.entry("kindling.http.host", "127.0.0.1"),
                Map.entry("kindling.auth.token", TOKEN), Map.entry("kindling.continuous.start-paused", "true"),
                Map.entry("recommender.seed.ratings", "3000"), Map.entry("recommender.generator.rate", "0"),
                Map.entry("recommender.generator.users", "200"), Map.entry("recommender.generator.products", "50"),
                Map.entry("recommender.als.rank", "5"), Map.entry("recommender.als.max-iter", "5"),
                Map.entry("recommender.interval", "1h")));
        try (KindlingService service = RecommenderApp.service(db, settings, models.toString()).spark(spark).build().start()) {
            JsonHttp http = new JsonHttp(service.port(), TOKEN);
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/readyz").status() == 200);
            assertThat(http.post("/cycles", "").status()).isEqualTo(202);
            await().atMost(Duration.ofMinutes(5)).until(() -> http.get("/models").json().size() == 1);
            String id = finished(http, "/predictions/ranks", "{\"user\": 1, \"topk\": 3}").get("id").asText();

            List<String> violations = HostileInputs.against(service.port()).token(TOKEN)
                    .post("/predictions/ranks", "{\"user\": 1, \"topk\": 3}")
                    .post("/predictions/ratings", "{\"user\": 1, \"products\": [1, 2, 3]}")
                    .action("/cycles?wait=30s")
                    .action("/pause")
                    .action("/resume")
                    .get("/jobs?limit=5")
                    .get("/jobs/" + id)
                    .get("/models")
                    .get("/status")
                    .stream("/jobs/" + id + "/events")
                    .healthyAfter("/models")
                    .healthyAfter("/jobs/" + id)
                    .run();
            assertThat(violations).isEmpty();

            JsonNode result = finished(http, "/predictions/ranks", "{\"user\": 1, \"topk\": 3}").get("result");
            assertThat(result.get("user").asInt()).isEqualTo(1);
            assertThat(result.get("modelVersion").asLong()).isZero();
            List<Integer> products = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            result.get("items").forEach(i -> {
                products.add(i.get("product").asInt());
                scores.add(i.get("score").asDouble());
            });
            assertThat(products).hasSize(3).doesNotHaveDuplicates().allMatch(p -> p >= 1 && p <= 50);
            assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));

            JsonNode ratings = finished(http, "/predictions/ratings", "{\"user\": 1, \"products\": [" + products.get(0) + ", 999]}")
                    .get("result").get("ratings");
            assertThat(ratings.get(0).get("product").asInt()).isEqualTo(products.get(0));
            assertThat(ratings.get(0).get("known").asBoolean()).isTrue();
            assertThat(ratings.get(0).get("rating").asDouble()).isEqualTo(scores.get(0), offset(1e-4));
            assertThat(ratings.get(1).get("known").asBoolean()).isFalse();
            assertThat(http.get("/models").json()).hasSize(1);
        }
    }

    /** Submits a prediction and polls its job until it has ended; it must have succeeded (the machine may be slow: no {@code ?wait=}). */
    private static JsonNode finished(JsonHttp http, String path, String body) {
        JsonHttp.Response accepted = http.post(path, body);
        assertThat(accepted.status()).as(accepted.body()).isIn(200, 202);
        String location = accepted.header("Location");
        await().atMost(Duration.ofMinutes(3)).until(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED")
                .contains(http.get(location).json().get("state").asText()));
        JsonNode job = http.get(location).json();
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }
}
