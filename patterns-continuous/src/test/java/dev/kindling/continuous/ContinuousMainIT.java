package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration-only service {@code dev.kindling.service.Main} with KINDLING_PATTERN=continuous, in a child JVM. */
@KindlingSparkTest
@KindlingPostgresTest
class ContinuousMainIT {
    private static final String LISTENING = "listening on http://127\\.0\\.0\\.1:(\\d+)";

    @TempDir
    Path tmp;

    private static ForkedJvm main(Map<String, String> env) {
        return ForkedJvm.builder("dev.kindling.service.Main").spark()
                .jvmOptions("-Xmx1g", "-Dspark.ui.enabled=false", "-Dspark.master=local[1]", "-Dspark.driver.host=127.0.0.1")
                .env(env).start();
    }

    @Test
    void aServiceFromSettingsAloneRunsACycleOverHttpAndStopsOnSigterm(PostgresDatabase db, SparkSession spark) throws Exception {
        db.execute("CREATE TABLE main_events (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.update("INSERT INTO main_events (word) VALUES (?)", "alpha");
        db.update("INSERT INTO main_events (word) VALUES (?)", "beta");
        Path out = tmp.resolve("out");
        Map<String, String> env = Map.of(
                "KINDLING_PATTERN", "continuous",
                "KINDLING_SERVICE_NAME", "words-service",
                "PORT", "0",
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_CONTINUOUS_NAME", "words",
                "KINDLING_CONTINUOUS_SOURCE", db.jdbcUrl() + "?table=main_events&user=" + db.user() + "&password.env=TEST_PGPASSWORD",
                "KINDLING_CONTINUOUS_WATERMARK_COLUMN", "id",
                "KINDLING_CONTINUOUS_SQL", "SELECT id, upper(word) AS word FROM input",
                "KINDLING_CONTINUOUS_SINK", "file:" + out + "?format=parquet&perBatch=true",
                "KINDLING_CONTINUOUS_WATERMARK_STORE", "file:" + tmp.resolve("words.watermark"));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("KINDLING_CONTINUOUS_START_PAUSED", "true");
        all.put("TEST_PGPASSWORD", db.password());
        try (ForkedJvm child = main(all)) {
            JsonHttp http = new JsonHttp(Integer.parseInt(child.awaitLine(LISTENING, Duration.ofSeconds(120)).group(1)), null);

            JsonHttp.Response cycle = http.post("/cycles?wait=120s", "");
            assertThat(cycle.status()).as(child.output()).isEqualTo(200);
            assertThat(cycle.json().get("outcome").asText()).isEqualTo("PUBLISHED");
            assertThat(cycle.json().get("rowsWritten").asLong()).isEqualTo(2L);
            JsonNode status = http.get("/status").json();
            assertThat(status.get("service").asText()).isEqualTo("words-service");
            JsonNode words = status.get("components").get("words");
            assertThat(words.get("pattern").asText()).isEqualTo("continuous");
            assertThat(words.get("state").asText()).isEqualTo("PAUSED");
            assertThat(words.get("details").get("cycles").asLong()).isEqualTo(1L);
            assertThat(words.get("details").get("committed").get("batchId").asLong()).isEqualTo(0L);

            child.terminate();
            child.awaitExit(Duration.ofSeconds(60));
            assertThat(child.lines()).anyMatch(l -> l.endsWith("words-service shut down"));
        }
        assertThat(spark.read().parquet(out.toString()).orderBy("id").collectAsList().stream()
                .map((Row r) -> r.getLong(0) + ":" + r.getString(1) + ":b" + r.getAs("batch_id")).toList())
                .containsExactly("1:ALPHA:b0", "2:BETA:b0");
    }

    @Test
    void missingSettingsExitTwoWithOneLineNamingEveryOne() throws Exception {
        try (ForkedJvm child = main(Map.of("KINDLING_PATTERN", "continuous"))) {
            assertThat(child.awaitExit(Duration.ofSeconds(120))).as(child.output()).isEqualTo(2);
            assertThat(child.lines().stream().filter(l -> l.contains("configuration error")).map(l -> l.substring(l.indexOf(' ') + 1)).toList())
                    .containsExactly("ERROR Main: configuration error: required settings are missing: kindling.continuous.source "
                            + "(environment KINDLING_CONTINUOUS_SOURCE), kindling.continuous.sink (environment KINDLING_CONTINUOUS_SINK)");
        }
    }
}
