package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The durable job store on a real PostgreSQL: restarts re-queue QUEUED jobs and fail RUNNING ones; nothing accepted is lost. */
@KindlingPostgresTest
@KindlingSparkTest
class DurableStoreIT {
    record CountParams(Long n) {
    }

    record SpinParams(Integer partitions) {
    }

    private static OnDemandService start(SparkSession spark, JobStore store) {
        OnDemandService s = OnDemandService.builder("durable-it")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.ondemand.workers", "1", "kindling.shutdown.grace", "1s")))
                .spark(spark)
                .store(store)
                .job(JobDefinition.builder("count", CountParams.class,
                        (ctx, p) -> Map.of("evens", ctx.spark().range(p.n()).filter("id % 2 = 0").count())).build())
                .job(JobDefinition.builder("spin", SpinParams.class,
                        (ctx, p) -> ctx.spark().range(0, 10_000_000_000_000L, 1, 2).where("rand() > 0.5").count()).build())
                .build()
                .start();
        await().atMost(Duration.ofSeconds(60)).until(s::isReady);
        return s;
    }

    private static JobStatus status(String id, String name, JobState state, Instant submitted, Instant started) {
        return new JobStatus(id, name, state, submitted, started, null, Progress.NONE, null, null);
    }

    @Test
    void aRestartRequeuesQueuedJobsAndFailsRunningOnes(PostgresDatabase db, SparkSession spark) throws Exception {
        PostgresJobStore store = PostgresJobStore.create(db.jdbcUrl(), db.user(), db.password());
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        // what a service that crashed would have left behind
        store.save(new JobStore.StoredJob(status("left-running", "count", JobState.RUNNING, t0, t0.plusSeconds(1)), "{\"n\":10}", 60_000));
        store.save(new JobStore.StoredJob(status("left-queued", "count", JobState.QUEUED, t0.plusSeconds(2), null), "{\"n\":4}", 60_000));
        store.save(new JobStore.StoredJob(status("left-unknown", "gone", JobState.QUEUED, t0.plusSeconds(3), null), "{}", 60_000));

        OnDemandService first = start(spark, store);
        JsonHttp http = new JsonHttp(first.port(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/left-queued").json().get("state").asText().equals("SUCCEEDED"));
        assertThat(http.get("/jobs/left-queued").json().get("result")).isEqualTo(ControlPlane.json().readTree("{\"evens\":2}"));
        JsonNode running = http.get("/jobs/left-running").json();
        assertThat(running.get("state").asText()).isEqualTo("FAILED");
        assertThat(running.get("error").get("type").asText()).isEqualTo("interrupted by restart");
        JsonNode unknown = http.get("/jobs/left-unknown").json();
        assertThat(unknown.get("state").asText()).isEqualTo("FAILED");
        assertThat(unknown.get("error").get("type").asText()).isEqualTo("unknown job");

        String accepted = http.post("/jobs/count?wait=20s", "{\"n\": 6}").json().get("id").asText();
        assertThat(db.queryForList("SELECT id, state, coalesce(error_type, '-') AS error_type, coalesce(result, '-') AS result FROM kindling_jobs ORDER BY submitted_at")).containsExactly(
                Map.of("id", "left-running", "state", "FAILED", "error_type", "interrupted by restart", "result", "-"),
                Map.of("id", "left-queued", "state", "SUCCEEDED", "error_type", "-", "result", "{\"evens\":2}"),
                Map.of("id", "left-unknown", "state", "FAILED", "error_type", "unknown job", "result", "-"),
                Map.of("id", accepted, "state", "SUCCEEDED", "error_type", "-", "result", "{\"evens\":3}"));

        // a graceful stop: the running job is failed after the grace period, the queued one stays QUEUED
        String spin = http.post("/jobs/spin", "{}").json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + spin).json().get("state").asText().equals("RUNNING"));
        String waiting = http.post("/jobs/count", "{\"n\": 8}").json().get("id").asText();
        first.shutdown();
        assertThat(db.queryForList("SELECT state, error_type FROM kindling_jobs WHERE id = ?", spin))
                .containsExactly(Map.of("state", "FAILED", "error_type", "interrupted by shutdown"));
        assertThat(db.queryForList("SELECT state FROM kindling_jobs WHERE id = ?", waiting)).containsExactly(Map.of("state", "QUEUED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);

        OnDemandService second = start(spark, store);
        try {
            JsonHttp http2 = new JsonHttp(second.port(), null);
            await().atMost(Duration.ofSeconds(30)).until(() -> http2.get("/jobs/" + waiting).json().get("state").asText().equals("SUCCEEDED"));
            assertThat(http2.get("/jobs/" + waiting).json().get("result")).isEqualTo(ControlPlane.json().readTree("{\"evens\":4}"));
            // finished jobs are read back too
            assertThat(http2.get("/jobs/" + accepted).json().get("result")).isEqualTo(ControlPlane.json().readTree("{\"evens\":3}"));
            assertThat(http2.get("/jobs/" + spin).json().get("error").get("type").asText()).isEqualTo("interrupted by shutdown");
            assertThat(db.queryForObject("SELECT count(*) FROM kindling_jobs WHERE state IN ('QUEUED','RUNNING')", Long.class)).isZero();
        } finally {
            second.shutdown();
        }
    }

    @Test
    void badStoreSettingsFailFastNamingTheProblem(PostgresDatabase db) {
        assertThatThrownBy(() -> PostgresJobStore.create(db.jdbcUrl().replace(db.databaseName(), "no_such_database"), db.user(), db.password()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot connect to");
        assertThatThrownBy(() -> PostgresJobStore.create(new dev.kindling.connect.JdbcEndpoint(db.jdbcUrl(), db.user(), null), "jobs; DROP"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("plain SQL identifier");
        assertThatThrownBy(() -> PostgresJobStore.create("jdbc:h2:mem:x", "a", "b"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs PostgreSQL");
        assertThatThrownBy(() -> OnDemandService.builder("x")
                .settings(Settings.of(Map.of("kindling.ondemand.store.url", db.jdbcUrl())))
                .store(PostgresJobStore.create(db.jdbcUrl(), db.user(), db.password()))
                .job(JobDefinition.builder("count", CountParams.class, (ctx, p) -> 1).build())
                .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the job store is given twice: by store(...) and by the setting kindling.ondemand.store.url; use one");
        List<Map<String, Object>> none = db.queryForList("SELECT 1 AS one");
        assertThat(none).containsExactly(Map.of("one", 1));
    }
}
