package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.TransientException;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The durable job store on a real PostgreSQL: restarts run QUEUED jobs and fail RUNNING ones whose lease ran out
 * ({@code replica lost}: every service on the PostgreSQL store claims jobs under leases, one replica or several);
 * nothing accepted is lost; a store that fails shows in the job, the counter and readiness.
 */
@KindlingPostgresTest
@KindlingSparkTest
class DurableStoreIT {
    record CountParams(Long n) {
    }

    record SpinParams(Integer partitions) {
    }

    record GateParams(Integer n) {
    }

    static volatile CountDownLatch gate = new CountDownLatch(0);

    /** The real store, with a switch that makes every call fail as an unreachable database does. */
    static final class SwitchableStore implements JobStore {
        final JobStore real;
        volatile boolean down;

        SwitchableStore(JobStore real) {
            this.real = real;
        }

        private void check() {
            if (down) {
                throw new TransientException("the job store is down on purpose");
            }
        }

        @Override
        public void save(StoredJob job) {
            check();
            real.save(job);
        }

        /** Each call of {@link #saveAll}: the thread that made it and how many jobs it carried. */
        final java.util.Queue<String> saveAllCalls = new java.util.concurrent.ConcurrentLinkedQueue<>();

        @Override
        public void saveAll(List<StoredJob> jobs) {
            check();
            saveAllCalls.add(Thread.currentThread().getName() + " " + jobs.size());
            real.saveAll(jobs);
        }

        @Override
        public List<StoredJob> loadUnfinished() {
            check();
            return real.loadUnfinished();
        }

        @Override
        public List<StoredJob> loadRecent(int limit) {
            check();
            return real.loadRecent(limit);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private static KindlingService start(SparkSession spark, JobStore store, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.workers", "1", "kindling.shutdown.grace", "3s"));
        settings.putAll(extra);
        JobService.Builder jobs = JobService.builder("jobs")
                .job(JobDefinition.builder("count", CountParams.class,
                        (ctx, p) -> Map.of("evens", ctx.spark().range(p.n()).filter("id % 2 = 0").count())).build())
                .job(JobDefinition.builder("spin", SpinParams.class,
                        (ctx, p) -> ctx.spark().range(0, 10_000_000_000_000L, 1, 2).where("rand() > 0.5").count()).build())
                .job(JobDefinition.builder("gate", GateParams.class, (ctx, p) -> {
                    gate.await();
                    return "opened";
                }).build());
        if (store != null) {
            jobs.store(store);
        }
        KindlingService s = KindlingService.builder("durable-it").settings(Settings.of(settings)).spark(spark).component(jobs.build())
                .start();
        await().atMost(Duration.ofMinutes(2)).until(s::isReady);
        return s;
    }

    private static JobStatus status(String id, String name, JobState state, Instant submitted, Instant started) {
        return new JobStatus(id, name, state, JobStatus.HTTP, submitted, started, null, JobProgress.NONE, null, null, null, java.util.List.of());
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    @Test
    void jobsThatEndedLongerAgoThanTheRetentionAreDeletedFromTheStore(PostgresDatabase db, SparkSession spark) {
        JobStore store = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())), "pruned_jobs");
        Instant now = Instant.now();
        Instant old = now.minus(Duration.ofDays(3));
        store.save(new JobStore.StoredJob(ended("old-succeeded", JobState.SUCCEEDED, old), "{}", 60_000));
        store.save(new JobStore.StoredJob(ended("old-cancelled", JobState.CANCELLED, old), "{}", 60_000));
        store.save(new JobStore.StoredJob(ended("recent", JobState.SUCCEEDED, now.minus(Duration.ofHours(1))), "{}", 60_000));
        store.save(new JobStore.StoredJob(status("old-queued", "count", JobState.QUEUED, old, null), "{\"n\":2}", 60_000));

        assertThat(store.prune(now.minus(Duration.ofDays(2)))).isEqualTo(2);
        assertThat(ids(db)).containsExactly("old-queued", "recent");

        // a service prunes on its own timer, with kindling.ondemand.retention
        try (KindlingService s = start(spark, store, Map.of("kindling.ondemand.retention", "30m"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ids(db).equals(java.util.List.of("old-queued")));
            assertThat(s.isReady()).isTrue();
        }
    }

    private static java.util.List<Object> ids(PostgresDatabase db) {
        return db.queryForList("SELECT id FROM pruned_jobs ORDER BY id").stream().map(row -> row.get("id")).toList();
    }

    private static JobStatus ended(String id, JobState state, Instant finished) {
        return new JobStatus(id, "count", state, JobStatus.HTTP, finished.minusSeconds(2), finished.minusSeconds(1), finished,
                JobProgress.NONE, null, null, null, java.util.List.of());
    }

    @Test
    void aRestartRequeuesQueuedJobsAndFailsRunningOnes(PostgresDatabase db, SparkSession spark) throws Exception {
        JobStore store = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())));
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        // what a service that crashed would have left behind
        store.save(new JobStore.StoredJob(status("left-running", "count", JobState.RUNNING, t0, t0.plusSeconds(1)), "{\"n\":10}", 60_000));
        store.save(new JobStore.StoredJob(status("left-queued", "count", JobState.QUEUED, t0.plusSeconds(2), null), "{\"n\":4}", 60_000));
        store.save(new JobStore.StoredJob(status("left-unknown", "gone", JobState.QUEUED, t0.plusSeconds(3), null), "{}", 60_000));

        KindlingService first = start(spark, store, Map.of());
        JsonHttp http = new JsonHttp(first.port(), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/jobs/left-queued").json().get("state").asText().equals("SUCCEEDED"));
        assertThat(http.get("/jobs/left-queued").json().get("result")).isEqualTo(json("{\"evens\":2}"));
        // left RUNNING with no lease (by a process that died): its lease has run out, and it had its one attempt
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/jobs/left-running").json().get("state").asText().equals("FAILED"));
        JsonNode running = http.get("/jobs/left-running").json();
        assertThat(running.get("error").get("type").asText()).isEqualTo("replica lost");
        // a job no replica knows waits in the shared queue for one that does (a rolling deploy may bring it)
        JsonNode unknown = http.get("/jobs/left-unknown").json();
        assertThat(unknown.get("state").asText()).isEqualTo("QUEUED");

        String accepted = http.post("/jobs/count?wait=20s", "{\"n\": 6}").json().get("id").asText();
        assertThat(db.queryForList("SELECT id, state, coalesce(error_type, '-') AS error_type, coalesce(result, '-') AS result, "
                + "submitted_by FROM kindling_jobs ORDER BY submitted_at")).containsExactly(
                Map.of("id", "left-running", "state", "FAILED", "error_type", "replica lost", "result", "-", "submitted_by", "http"),
                Map.of("id", "left-queued", "state", "SUCCEEDED", "error_type", "-", "result", "{\"evens\":2}", "submitted_by", "http"),
                Map.of("id", "left-unknown", "state", "QUEUED", "error_type", "-", "result", "-", "submitted_by", "http"),
                Map.of("id", accepted, "state", "SUCCEEDED", "error_type", "-", "result", "{\"evens\":3}", "submitted_by", "http"));

        // a graceful stop: the running job is failed at the deadline, the queued one stays QUEUED
        String spin = http.post("/jobs/spin", "{}").json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + spin).json().get("state").asText().equals("RUNNING"));
        String waiting = http.post("/jobs/count", "{\"n\": 8}").json().get("id").asText();
        first.shutdown();
        assertThat(first.overran()).isEmpty();
        assertThat(db.queryForList("SELECT state, error_type FROM kindling_jobs WHERE id = ?", spin))
                .containsExactly(Map.of("state", "FAILED", "error_type", "interrupted by shutdown"));
        assertThat(db.queryForList("SELECT state FROM kindling_jobs WHERE id = ?", waiting)).containsExactly(Map.of("state", "QUEUED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);

        try (KindlingService second = start(spark, store, Map.of())) {
            JsonHttp http2 = new JsonHttp(second.port(), null);
            await().atMost(Duration.ofSeconds(30)).until(() -> http2.get("/jobs/" + waiting).json().get("state").asText().equals("SUCCEEDED"));
            assertThat(http2.get("/jobs/" + waiting).json().get("result")).isEqualTo(json("{\"evens\":4}"));
            // finished jobs are read back too
            assertThat(http2.get("/jobs/" + accepted).json().get("result")).isEqualTo(json("{\"evens\":3}"));
            assertThat(http2.get("/jobs/" + spin).json().get("error").get("type").asText()).isEqualTo("interrupted by shutdown");
            assertThat(db.queryForList("SELECT id FROM kindling_jobs WHERE state IN ('QUEUED','RUNNING')"))
                    .containsExactly(Map.of("id", "left-unknown"));
        }
    }

    @Test
    void submissionsAreSavedTogetherOffTheRequestThreadsAndAnsweredOnlyOnceCommitted(PostgresDatabase db, SparkSession spark)
            throws Exception {
        SwitchableStore store = new SwitchableStore(JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())),
                "batched_jobs"));
        int clients = 24;
        int each = 5;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try (KindlingService service = start(spark, store, Map.of("kindling.ondemand.queue-capacity", "1000"))) {
            JsonHttp http = new JsonHttp(service.port(), null);
            List<java.util.concurrent.Future<List<String>>> answers = new java.util.ArrayList<>();
            for (int c = 0; c < clients; c++) {
                answers.add(pool.submit(() -> {
                    List<String> problems = new java.util.ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        JsonHttp.Response r = http.post("/jobs/count", "{\"n\": 10}");
                        String id = r.json().get("id").asText();
                        // the 202 comes after the commit: the row is there the moment the caller hears of the job
                        if (r.status() != 202 || db.queryForList("SELECT id FROM batched_jobs WHERE id = ?", id).size() != 1) {
                            problems.add(r.status() + " " + id);
                        }
                    }
                    return problems;
                }));
            }
            for (java.util.concurrent.Future<List<String>> a : answers) {
                assertThat(a.get()).isEmpty();
            }
            // every submission went through one saveAll, made by the store's writer thread and never by a request thread
            List<String> calls = List.copyOf(store.saveAllCalls);
            assertThat(calls.stream().mapToInt(c -> Integer.parseInt(c.substring(c.lastIndexOf(' ') + 1))).sum()).isEqualTo(clients * each);
            assertThat(calls).allSatisfy(c -> assertThat(c).contains("store-writer").doesNotContain("Jetty"));
            assertThat(db.queryForList("SELECT count(*) AS n FROM batched_jobs")).containsExactly(Map.of("n", (long) clients * each));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStoreThatFailsShowsInTheJobTheCounterAndReadinessUntilItIsBack(PostgresDatabase db, SparkSession spark) throws Exception {
        SwitchableStore store = new SwitchableStore(JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())),
                "flaky_jobs"));
        gate = new CountDownLatch(1);
        try (KindlingService service = start(spark, store, Map.of("kindling.ondemand.backoff.initial", "50ms",
                "kindling.ondemand.backoff.max", "200ms"))) {
            JsonHttp http = new JsonHttp(service.port(), null);
            String id = http.post("/jobs/gate", "{}").json().get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("RUNNING"));
            store.down = true;
            gate.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().has("storeError"));
            JsonNode job = http.get("/jobs/" + id).json();
            assertThat(job.get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.get("result").asText()).isEqualTo("opened");
            assertThat(job.get("storeError").asText()).isEqualTo("the job store is down on purpose");
            JsonHttp.Response ready = http.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("checks").get("jobs").asText())
                    .isEqualTo("not ready: job store failing: the job store is down on purpose; 1 job state(s) not saved yet");
            // a new submission is refused rather than accepted without a durable record
            JsonHttp.Response refused = http.post("/jobs/count", "{\"n\": 2}");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().get("detail").asText())
                    .isEqualTo("the job store could not save the job, so it was not accepted: the job store is down on purpose");
            assertThat(http.get("/status").json().get("components").get("jobs").get("lastError").get("message").asText())
                    .isEqualTo("the job store is down on purpose");
            String metrics = http.get("/metrics").body();
            assertThat(metrics).contains("kindling_ondemand_store_failures_total{pipeline=\"gate\",service=\"durable-it\"} 1.0\n",
                    "kindling_ondemand_store_failures_total{pipeline=\"count\",service=\"durable-it\"} 1.0\n");
            assertThat(db.queryForList("SELECT state FROM flaky_jobs WHERE id = ?", id)).containsExactly(Map.of("state", "RUNNING"));

            store.down = false;
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/readyz").status() == 200);
            assertThat(http.get("/jobs/" + id).json().has("storeError")).isFalse();
            assertThat(db.queryForList("SELECT state, result FROM flaky_jobs WHERE id = ?", id))
                    .containsExactly(Map.of("state", "SUCCEEDED", "result", "\"opened\""));
            assertThat(http.get("/status").json().get("components").get("jobs").get("lastError").isNull()).isTrue();
            assertThat(http.get("/metrics").body())
                    .contains("kindling_ondemand_store_failures_total{pipeline=\"gate\",service=\"durable-it\"} 1.0\n");
        }
    }

    @Test
    void aStoreThatGoesAwayTurnsReadinessDownBeforeAnySaveFailsOnIt(PostgresDatabase db, SparkSession spark) {
        SwitchableStore store = new SwitchableStore(JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())),
                "probed_jobs"));
        try (KindlingService service = start(spark, store, Map.of("kindling.ondemand.store.probe-interval", "100ms",
                "kindling.ondemand.backoff.initial", "50ms", "kindling.ondemand.backoff.max", "200ms"))) {
            JsonHttp http = new JsonHttp(service.port(), null);
            assertThat(http.get("/readyz").status()).isEqualTo(200);
            store.down = true;
            // no job is submitted: the probe alone finds the outage
            await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/readyz").status() == 503);
            assertThat(http.get("/readyz").json().get("checks").get("jobs").asText())
                    .isEqualTo("not ready: job store failing: the job store is down on purpose");
            store.down = false;
            await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/readyz").status() == 200);
            assertThat(http.post("/jobs/count?wait=30s", "{\"n\": 4}").json().get("result").get("evens").asLong()).isEqualTo(2L);
        }
    }

    @Test
    void badStoreSettingsFailTheStartNamingTheProblem(PostgresDatabase db, SparkSession spark) {
        assertThatThrownBy(() -> JobStore.postgres(new JdbcEndpoint(db.jdbcUrl().replace(db.databaseName(), "no_such_database"),
                db.user(), Secret.of(db.password()))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot connect to");
        assertThatThrownBy(() -> JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), null), "jobs; DROP"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("plain SQL identifier");
        assertThatThrownBy(() -> JobStore.postgres(new JdbcEndpoint("jdbc:h2:mem:x", "a", Secret.of("b"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs PostgreSQL");
        JobStore given = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())));
        assertThatThrownBy(() -> start(spark, given, Map.of("kindling.ondemand.store.url", db.jdbcUrl())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the job store is given twice: by store(...) and by the setting kindling.ondemand.store.url; use one");
        assertThatThrownBy(() -> start(spark, null, Map.of("kindling.ondemand.store.url", "jdbc:postgresql://127.0.0.1:1/nowhere")))
                .isInstanceOf(dev.kindling.ipp.KindlingException.class).hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:1/nowhere");
    }

    @Test
    void theStoreFromSettingsKeepsDriverParametersAndTakesTheUserFromTheSettings(PostgresDatabase db, SparkSession spark) {
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "sslmode=disable";
        try (KindlingService service = start(spark, null, Map.of("kindling.ondemand.store.url", url,
                "kindling.ondemand.store.user", db.user(), "kindling.ondemand.store.password", db.password(),
                "kindling.ondemand.store.table", "configured_jobs"))) {
            JsonHttp http = new JsonHttp(service.port(), null);
            String id = http.post("/jobs/count?wait=20s", "{\"n\": 4}").json().get("id").asText();
            assertThat(db.queryForList("SELECT state FROM configured_jobs WHERE id = ?", id)).containsExactly(Map.of("state", "SUCCEEDED"));
            assertThat(http.get("/status").json().get("components").get("jobs").get("details").get("store").asText())
                    .startsWith("PostgresJobStore[JdbcEndpoint[jdbc:postgresql:").contains("sslmode=disable").endsWith("table configured_jobs]");
        }
    }
}
