package dev.kindling.examples.sparkpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The SparkPi service, with a token, against the hostile-input battery over real HTTP: only 4xx or 429, and healthy afterwards. */
@KindlingSparkTest
class SparkPiHostileInputsIT {
    private static final String TOKEN = "sparkpi-hostile-t0ken";

    @Test
    void everyHostileRequestGetsA4xxOr429AndTheServiceAnswersAfterwards(SparkSession spark) {
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.auth.token", TOKEN,
                "kindling.ondemand.workers", "2", "kindling.ondemand.queue-capacity", "8"));
        try (KindlingService service = KindlingService.builder(SparkPiApp.JOB).settings(settings).spark(spark)
                .component(SparkPiApp.jobs(settings)).routes(SparkPiApp::banner).start()) {
            JsonHttp http = new JsonHttp(service.port(), TOKEN);
            await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 200);
            String id = http.post("/jobs/sparkpi", "{\"samples\": 1000, \"partitions\": 1}").json().get("id").asText();

            List<String> violations = HostileInputs.against(service.port()).token(TOKEN)
                    .post("/jobs/sparkpi", "{\"samples\": 1000, \"partitions\": 2}")
                    .get("/sparkpi?samples=1000&partitions=2")
                    .get("/jobs?limit=5")
                    .stream("/jobs/" + id + "/events")
                    .healthyAfter("/sparkpi?samples=1000&partitions=1")
                    .run();
            assertThat(violations).isEmpty();
            assertThat(http.get("/sparkpi?samples=2000&partitions=1").json().get("samples").asLong()).isEqualTo(2000L);
        }
    }
}
