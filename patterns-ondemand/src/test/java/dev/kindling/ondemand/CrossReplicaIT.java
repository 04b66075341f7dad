package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Two replicas ({@code a} and {@code b}, one worker each) in one JVM, on one Spark session and one PostgreSQL job
 * table: a job accepted by one is read, followed, cancelled and answered by the other; the queue's capacity is
 * shared; a result over the size limit fails its job; a dead replica's job with no attempt left fails
 * {@code replica lost}; unknown ids and malformed requests are answered as without replicas.
 */
@KindlingPostgresTest
@KindlingSparkTest
class CrossReplicaIT {
    record GateParams(Integer n) {
    }

    record BigParams(Integer chars) {
    }

    record CountParams(Long n) {
    }

    static volatile CountDownLatch gate = new CountDownLatch(1);

    private static KindlingService replica(SparkSession spark, PostgresDatabase db, String table, String id) {
        JobStore store = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())), table);
        JobService jobs = JobService.builder("jobs").store(store)
                .job(JobDefinition.builder("gate", GateParams.class, (ctx, p) -> {
                    gate.await();
                    return "opened";
                }).build())
                .job(JobDefinition.builder("big", BigParams.class, (ctx, p) -> "x".repeat(p.chars())).build())
                .job(JobDefinition.builder("count", CountParams.class,
                        (ctx, p) -> Map.of("evens", ctx.spark().range(p.n()).filter("id % 2 = 0").count())).build())
                .build();
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.workers", "1", "kindling.ondemand.queue-capacity", "3", "kindling.ondemand.replica-id", id,
                "kindling.ondemand.poll-interval", "100ms", "kindling.ondemand.lease", "2s", "kindling.ondemand.max-result-bytes", "1000",
                "kindling.shutdown.grace", "3s"));
        KindlingService s = KindlingService.builder("replica-" + id).settings(settings).spark(spark).resource("job store", store)
                .component(jobs).start();
        await().atMost(Duration.ofMinutes(1)).until(s::isReady);
        return s;
    }

    private static String state(JsonHttp http, String id) {
        return http.get("/jobs/" + id).json().get("state").asText();
    }

    @Test
    void aJobAcceptedByOneReplicaIsReadFollowedAndCancelledThroughTheOther(PostgresDatabase db, SparkSession spark) throws Exception {
        gate = new CountDownLatch(1);
        try (KindlingService a = replica(spark, db, "cross_jobs", "a"); KindlingService b = replica(spark, db, "cross_jobs", "b")) {
            Map<String, JsonHttp> http = Map.of("a", new JsonHttp(a.port(), null), "b", new JsonHttp(b.port(), null));
            String id = http.get("a").post("/jobs/gate", "{}").json().get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> state(http.get("a"), id).equals("RUNNING"));
            JsonNode running = http.get("a").get("/jobs/" + id).json();
            String runner = running.get("attempts").get(0).get("replica").asText();
            JsonHttp other = http.get(runner.equals("a") ? "b" : "a");
            JsonNode seen = other.get("/jobs/" + id).json();
            assertThat(seen.get("state").asText()).isEqualTo("RUNNING");
            assertThat(seen.get("attempts")).isEqualTo(running.get("attempts"));
            assertThat(http.get(runner).get("/status").json().get("components").get("jobs").get("details").get("replica").asText())
                    .isEqualTo(runner);
            assertThat(http.get(runner).get("/status").json().get("components").get("jobs").get("details").get("running").asInt())
                    .isEqualTo(1);

            // the other replica follows the job's events through the store, and cancels it there
            HttpResponse<Stream<String>> events = other.events("/jobs/" + id + "/events");
            assertThat(events.statusCode()).isEqualTo(200);
            long asked = System.nanoTime();
            JsonHttp.Response cancel = other.delete("/jobs/" + id);
            assertThat(cancel.status()).as(cancel.body()).isIn(200, 202);
            await().atMost(Duration.ofSeconds(2)).until(() -> state(other, id).equals("CANCELLED"));
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(2));
            assertThat(state(http.get(runner), id)).isEqualTo("CANCELLED");
            List<String> names = events.body().filter(l -> l.startsWith("event:")).collect(Collectors.toList());
            assertThat(names).startsWith("event: state").endsWith("event: state", "event: cancelled");
            assertThat(db.queryForList("SELECT state, owner, attempts FROM cross_jobs WHERE id = ?", id))
                    .containsExactly(Map.of("state", "CANCELLED", "owner", runner, "attempts", 1));

            // a result is in the store: any replica answers it
            JsonNode done = http.get("a").post("/jobs/count?wait=30s", "{\"n\": 10}").json();
            assertThat(done.get("result")).isEqualTo(http.get("b").get("/jobs/" + done.get("id").asText()).json().get("result"));
            assertThat(done.get("result").get("evens").asLong()).isEqualTo(5L);
            assertThat(http.get("b").get("/jobs?name=count").json().get("total").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theQueueIsSharedSoAFullQueueRefusesOnEveryReplica(PostgresDatabase db, SparkSession spark) {
        gate = new CountDownLatch(1);
        try (KindlingService a = replica(spark, db, "shared_queue", "a"); KindlingService b = replica(spark, db, "shared_queue", "b")) {
            JsonHttp httpA = new JsonHttp(a.port(), null);
            JsonHttp httpB = new JsonHttp(b.port(), null);
            String first = httpA.post("/jobs/gate", "{}").json().get("id").asText();
            String second = httpA.post("/jobs/gate", "{}").json().get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> state(httpA, first).equals("RUNNING") && state(httpA, second).equals("RUNNING"));
            for (int i = 0; i < 3; i++) {
                assertThat(httpA.post("/jobs/count", "{\"n\": 4}").status()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> httpB.get("/status").json().get("components").get("jobs").get("details")
                    .get("queued").asInt() == 3);
            JsonHttp.Response refused = httpB.post("/jobs/count", "{\"n\": 4}");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            assertThat(refused.json().get("detail").asText())
                    .isEqualTo("the job queue is full (3 jobs waiting across all replicas); retry after 1 s");
            gate.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryForObject("SELECT count(*) FROM shared_queue WHERE state = 'SUCCEEDED'",
                    Long.class) == 5L);
        }
    }

    @Test
    void aResultOverTheLimitFailsTheJobNamingTheSettingAndTheSize(PostgresDatabase db, SparkSession spark) {
        try (KindlingService a = replica(spark, db, "big_jobs", "a")) {
            JsonHttp http = new JsonHttp(a.port(), null);
            JsonNode small = http.post("/jobs/big?wait=30s", "{\"chars\": 998}").json();
            assertThat(small.get("state").asText()).isEqualTo("SUCCEEDED");
            JsonNode big = http.post("/jobs/big?wait=30s", "{\"chars\": 999}").json();
            assertThat(big.get("state").asText()).isEqualTo("FAILED");
            assertThat(big.get("error").get("type").asText()).isEqualTo("result too large");
            assertThat(big.get("error").get("message").asText()).isEqualTo("the job's result is 1001 bytes of JSON, more than "
                    + "kindling.ondemand.max-result-bytes (1000) allows: results are kept in the job store for every replica to serve. "
                    + "Return less (write large outputs to a sink) or raise the setting");
            assertThat(db.queryForList("SELECT state, error_type, coalesce(result, '-') AS result FROM big_jobs WHERE id = ?",
                    big.get("id").asText())).containsExactly(Map.of("state", "FAILED", "error_type", "result too large", "result", "-"));
        }
    }

    @Test
    void aDeadReplicasJobWithNoAttemptLeftFailsReplicaLost(PostgresDatabase db, SparkSession spark) {
        try (KindlingService a = replica(spark, db, "ghost_jobs", "a")) {
            // what a replica that died while it ran a job leaves: a lease that has run out
            db.update("INSERT INTO ghost_jobs (id, name, state, params, timeout_ms, submitted_at, started_at, owner, lease_until, attempts, "
                    + "attempt_history) VALUES ('ghosted', 'count', 'RUNNING', '{\"n\":2}', 60000, now(), now(), 'ghost', "
                    + "now() - interval '1 second', 1, '[{\"number\":1,\"replica\":\"ghost\",\"startedAt\":\"2026-11-26T10:00:00Z\"}]')");
            JsonHttp http = new JsonHttp(a.port(), null);
            await().atMost(Duration.ofSeconds(10)).until(() -> state(http, "ghosted").equals("FAILED"));
            JsonNode job = http.get("/jobs/ghosted").json();
            assertThat(job.get("error").get("type").asText()).isEqualTo("replica lost");
            assertThat(job.get("error").get("message").asText()).isEqualTo("replica ghost stopped renewing its lease while it ran the job "
                    + "(attempt 1 of 1, kindling.ondemand.max-attempts); submit it again");
            assertThat(job.get("attempts").toString())
                    .isEqualTo("[{\"number\":1,\"replica\":\"ghost\",\"startedAt\":\"2026-11-26T10:00:00Z\",\"outcome\":\"replica lost\"}]");
        }
    }

    @Test
    void unknownIdsAre404AndMalformedRequestsAreRefusedOnEveryReplica(PostgresDatabase db, SparkSession spark) {
        try (KindlingService a = replica(spark, db, "plain_jobs", "a"); KindlingService b = replica(spark, db, "plain_jobs", "b")) {
            for (JsonHttp http : List.of(new JsonHttp(a.port(), null), new JsonHttp(b.port(), null))) {
                JsonHttp.Response get = http.get("/jobs/no-such-job");
                assertThat(get.status()).isEqualTo(404);
                assertThat(get.json().get("detail").asText()).isEqualTo("no job has the id 'no-such-job'");
                assertThat(http.delete("/jobs/no-such-job").status()).isEqualTo(404);
                assertThat(http.post("/jobs/count", "{\"n\": ").status()).isEqualTo(400);
                assertThat(http.post("/jobs/count", "{\"nope\": 1}").status()).isEqualTo(400);
                assertThat(http.post("/jobs/no-such-job", "{}").status()).isEqualTo(404);
            }
            assertThat(db.queryForObject("SELECT count(*) FROM plain_jobs", Long.class)).isZero();
        }
    }
}
