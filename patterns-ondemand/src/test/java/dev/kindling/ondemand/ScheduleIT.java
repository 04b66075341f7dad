package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Cron schedules, on a clock the test moves by hand and fires: no waiting for wall-clock minutes. */
@KindlingSparkTest
@KindlingPostgresTest
class ScheduleIT {
    record TickParams(Integer n) {
    }

    record NeedsParams(Integer n) {
        NeedsParams {
            if (n == null) {
                throw new InvalidParamsException("n", "a whole number", null);
            }
        }
    }

    /** A clock that stands still until the test sets it. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>();

        TestClock(String at) {
            now.set(Instant.parse(at));
        }

        void set(String at) {
            now.set(Instant.parse(at));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    static final List<CountDownLatch> GATES = new ArrayList<>(List.of(new CountDownLatch(1), new CountDownLatch(1)));
    static final AtomicReference<Integer> RUNS = new AtomicReference<>(0);

    private static JobService.Builder jobs(TestClock clock) {
        return JobService.builder("scheduled").clock(clock)
                .job(JobDefinition.builder("tick", TickParams.class, (ctx, p) -> {
                    int run = RUNS.getAndUpdate(n -> n + 1);
                    GATES.get(Math.min(run, GATES.size() - 1)).await();
                    return ctx.spark().range(run + 1).count();
                }).build())
                .job(JobDefinition.builder("needs", NeedsParams.class, (ctx, p) -> p.n()).build());
    }

    private static KindlingService service(SparkSession spark, JobService jobs, Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.shutdown.grace", "3s"));
        s.putAll(extra);
        return KindlingService.builder("schedule-it").spark(spark).settings(Settings.of(s)).component(jobs).start();
    }

    @Test
    void aDueScheduleSubmitsTheJobAndARunWhoseLastRunIsStillGoingIsSkipped(SparkSession spark) throws Exception {
        TestClock clock = new TestClock("2026-11-26T10:00:30Z");
        JobService jobs = jobs(clock).build();
        try (KindlingService service = service(spark, jobs, Map.of("kindling.ondemand.schedule.tick", "* * * * *"))) {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(Duration.ofSeconds(60)).until(service::isReady);
            JsonNode schedules = http.get("/status").json().get("components").get("scheduled").get("details").get("schedules");
            assertThat(schedules.get("tick").asText()).isEqualTo("* * * * * (next 2026-11-26T10:01:00Z)");

            jobs.runDueSchedules();                      // 10:00:30: not due
            assertThat(http.get("/jobs").json().get("total").asInt()).isZero();

            clock.set("2026-11-26T10:01:00Z");
            jobs.runDueSchedules();                      // due: the first run, held at its gate
            jobs.runDueSchedules();                      // the same due time again: nothing more
            JsonNode first = http.get("/jobs?name=tick").json().get("jobs").get(0);
            assertThat(http.get("/jobs?name=tick").json().get("total").asInt()).isEqualTo(1);
            assertThat(first.get("trigger").asText()).isEqualTo("schedule");
            assertThat(first.get("submittedAt").asText()).isEqualTo("2026-11-26T10:01:00Z");
            String firstId = first.get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + firstId).json().get("state").asText().equals("RUNNING"));

            clock.set("2026-11-26T10:02:00Z");
            jobs.runDueSchedules();                      // due, but the first run is still going: skipped
            assertThat(http.get("/jobs?name=tick").json().get("total").asInt()).isEqualTo(1);
            assertThat(http.get("/metrics").body())
                    .contains("kindling_ondemand_schedule_skipped_total{pipeline=\"tick\",service=\"schedule-it\"} 1.0\n");

            GATES.get(0).countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + firstId).json().get("state").asText().equals("SUCCEEDED"));
            assertThat(http.get("/jobs/" + firstId).json().get("result").asLong()).isEqualTo(1L);

            clock.set("2026-11-26T10:05:30Z");           // three due times passed: one run, no catching up
            jobs.runDueSchedules();
            GATES.get(1).countDown();
            JsonNode list = http.get("/jobs?name=tick").json();
            assertThat(list.get("total").asInt()).isEqualTo(2);
            JsonNode second = list.get("jobs").get(0);
            assertThat(List.of(second.get("trigger").asText(), second.get("submittedAt").asText()))
                    .isEqualTo(List.of("schedule", "2026-11-26T10:05:30Z"));
            String secondId = second.get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + secondId).json().get("state").asText().equals("SUCCEEDED"));
            String metrics = http.get("/metrics").body();
            assertThat(metrics).contains("kindling_ondemand_jobs_submitted_total{pipeline=\"tick\",service=\"schedule-it\"} 2.0\n",
                    "kindling_ondemand_jobs_finished_total{pipeline=\"tick\",service=\"schedule-it\",state=\"SUCCEEDED\"} 2.0\n",
                    "kindling_ondemand_schedule_skipped_total{pipeline=\"tick\",service=\"schedule-it\"} 1.0\n");
            assertThat(http.get("/status").json().get("components").get("scheduled").get("details").get("schedules").get("tick")
                    .asText()).isEqualTo("* * * * * (next 2026-11-26T10:06:00Z)");
        } finally {
            GATES.forEach(CountDownLatch::countDown);
        }
    }

    @Test
    void badSchedulesFailTheStartNamingTheSetting(SparkSession spark) {
        TestClock clock = new TestClock("2026-11-26T10:00:30Z");
        assertThatThrownBy(() -> service(spark, jobs(clock).build(), Map.of("kindling.ondemand.schedule.tick", "every minute")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("setting kindling.ondemand.schedule.tick (environment KINDLING_ONDEMAND_SCHEDULE_TICK) is "
                        + "'every minute', not a cron expression: ");
        assertThatThrownBy(() -> service(spark, jobs(clock).build(), Map.of("kindling.ondemand.schedule.tock", "* * * * *")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("schedule settings name jobs that are not registered: [kindling.ondemand.schedule.tock]; jobs: [needs, tick]");
        assertThatThrownBy(() -> service(spark, jobs(clock).build(), Map.of("kindling.ondemand.schedule.needs", "0 * * * *")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.ondemand.schedule.needs schedules job 'needs', which cannot run without params "
                        + "(a scheduled run has none): 'n' is null; allowed: a whole number");
    }

    /** A replica of a service whose job store is the shared PostgreSQL table {@code scheduled_jobs}, with the schedule {@code beat}. */
    private record Replica(KindlingService service, JobService jobs, JsonHttp http) implements AutoCloseable {
        static Replica start(SparkSession spark, PostgresDatabase db, TestClock clock, String id) {
            JobStore store = JobStore.postgres(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())), "scheduled_jobs");
            JobService jobs = JobService.builder("scheduled").clock(clock).store(store)
                    .job(JobDefinition.builder("beat", TickParams.class, (ctx, p) -> ctx.spark().range(3).count()).build()).build();
            KindlingService s = KindlingService.builder("replica-" + id).spark(spark).resource("job store", store).component(jobs)
                    .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "3s",
                            "kindling.ondemand.schedule.beat", "* * * * *", "kindling.ondemand.replica-id", id,
                            "kindling.ondemand.lease", "2s", "kindling.ondemand.poll-interval", "100ms"))).start();
            await().atMost(Duration.ofSeconds(60)).until(s::isReady);
            return new Replica(s, jobs, new JsonHttp(s.port(), null));
        }

        String beat() {
            return http.get("/status").json().get("components").get("scheduled").get("details").get("schedules").get("beat").asText();
        }

        List<String> scheduledRuns() {
            List<String> out = new ArrayList<>();
            http.get("/jobs?name=beat").json().get("jobs").forEach(j -> out.add(j.get("trigger").asText() + " " + j.get("submittedAt").asText()));
            return out;
        }

        @Override
        public void close() {
            service.close();
        }
    }

    @Test
    void withTheSharedStoreOneReplicaSubmitsEachDueRunAndAnotherTakesTheSchedulesOverWhenItStops(SparkSession spark, PostgresDatabase db) {
        TestClock clock = new TestClock("2026-11-26T11:00:30Z");
        String lease = "the lease 'ondemand/schedules/scheduled'";
        try (Replica a = Replica.start(spark, db, clock, "a"); Replica b = Replica.start(spark, db, clock, "b")) {
            Replica leader = await().atMost(Duration.ofSeconds(20))
                    .until(() -> a.beat().contains("run here") ? a : b.beat().contains("run here") ? b : null, java.util.Objects::nonNull);
            Replica other = leader == a ? b : a;
            assertThat(other.beat()).isEqualTo("* * * * * (next 2026-11-26T11:01:00Z; run by the replica that holds " + lease + ")");

            clock.set("2026-11-26T11:01:00Z");
            other.jobs().runDueSchedules();               // due, but another replica holds the schedules
            leader.jobs().runDueSchedules();
            assertThat(other.scheduledRuns()).containsExactly("schedule 2026-11-26T11:01:00Z");

            leader.close();                               // its stop gives the schedules' lease up
            await().atMost(Duration.ofSeconds(10)).until(() -> other.beat().contains("run here"));
            clock.set("2026-11-26T11:02:00Z");
            other.jobs().runDueSchedules();
            assertThat(other.scheduledRuns()).containsExactly("schedule 2026-11-26T11:02:00Z", "schedule 2026-11-26T11:01:00Z");
            assertThat(other.beat()).isEqualTo("* * * * * (next 2026-11-26T11:03:00Z; run here, this replica holds " + lease + ")");
        }
    }
}
