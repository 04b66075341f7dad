package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database that hangs rather than refuses: another session holds the job table locked (and sleeps in its
 * transaction), so every statement of the job store waits. The statement timeout ends each wait with an error, the
 * store probe turns readiness down within seconds, the HTTP API keeps answering at once, and the dispatcher keeps
 * running jobs (their states wait in memory, with {@code storeError}); when the lock goes, every state is saved and
 * the service is ready again.
 */
@KindlingPostgresTest
@KindlingSparkTest
class HungDatabaseIT {
    record GateParams(Integer n) {
    }

    private static final CountDownLatch GATE = new CountDownLatch(1);

    @BeforeAll
    static void shortTimeouts() {
        // read by the pool of this JVM (each integration test class runs in a JVM of its own)
        System.setProperty("kindling.jdbc.statement-timeout", "2s");
        System.setProperty("kindling.jdbc.socket-timeout", "5s");
    }

    @Test
    void aStoreBehindALockTimesOutTurnsReadinessDownAndNeitherHttpNorTheDispatcherWaitsForIt(PostgresDatabase db, SparkSession spark)
            throws Exception {
        JobStore store = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())), "hung_jobs");
        JobService jobs = JobService.builder("jobs")
                .job(JobDefinition.builder("gate", GateParams.class, (ctx, p) -> {
                    GATE.await(2, TimeUnit.MINUTES);
                    return "opened";
                }).build())
                .store(store).build();
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.workers", "1", "kindling.ondemand.store.probe-interval", "1s",
                "kindling.ondemand.backoff.initial", "100ms", "kindling.ondemand.backoff.max", "500ms"));
        try (KindlingService service = KindlingService.builder("hung-it").settings(settings).spark(spark).component(jobs).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/readyz").status() == 200);
            String id = http.post("/jobs/gate", "{}").json().get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("RUNNING"));

            try (Connection locker = db.connection(); Statement s = locker.createStatement()) {
                locker.setAutoCommit(false);
                s.execute("LOCK TABLE hung_jobs IN ACCESS EXCLUSIVE MODE");
                long hungAt = System.nanoTime();

                await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/readyz").status() == 503);
                assertThat(Duration.ofNanos(System.nanoTime() - hungAt)).as("readiness turned down").isLessThan(Duration.ofSeconds(10));
                JsonHttp.Response ready = http.get("/readyz");
                assertThat(ready.json().get("checks").get("jobs").asText()).as(ready.body())
                        .contains("job store").contains("statement timeout");

                // the job ends while the store hangs: the dispatcher is not held, the state waits in memory
                GATE.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("SUCCEEDED"));
                long asked = System.nanoTime();
                JsonHttp.Response job = http.get("/jobs/" + id);
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("a read does not wait for the database")
                        .isLessThan(Duration.ofSeconds(2));
                assertThat(job.json().get("result").asText()).isEqualTo("opened");
                await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/" + id).json().has("storeError"));
                assertThat(http.get("/jobs/" + id).json().get("storeError").asText()).contains("statement timeout");

                // a submission is refused while nothing can be made durable, at once and with Retry-After
                JsonHttp.Response refused = http.post("/jobs/gate", "{}");
                assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotBlank();

                locker.rollback();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").status() == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> !http.get("/jobs/" + id).json().has("storeError"));
            assertThat(db.queryForList("SELECT state, result FROM hung_jobs WHERE id = ?", id))
                    .containsExactly(Map.of("state", "SUCCEEDED", "result", "\"opened\""));
        }
    }
}
