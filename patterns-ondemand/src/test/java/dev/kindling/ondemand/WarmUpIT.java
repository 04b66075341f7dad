package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Readiness waits for the warm-up, which goes through the service's own HTTP API; a session given to the service. */
@KindlingSparkTest
class WarmUpIT {
    /** {@code hold}: wait for the test to open the gate (the warm-up's params say so). */
    record GateParams(Boolean hold) {
    }

    static final CountDownLatch GATE = new CountDownLatch(1);
    static final CountDownLatch WAITING = new CountDownLatch(1);

    @Test
    void readinessIs503UntilTheWarmUpHasRunThroughTheJobApi(SparkSession spark) throws Exception {
        LogRecorder log = LogRecorder.attach();
        JobService jobs = JobService.builder("gated")
                .routePrefix("/api")
                .job(JobDefinition.builder("gate", GateParams.class, (ctx, p) -> {
                    if (Boolean.TRUE.equals(p.hold())) {
                        WAITING.countDown();
                        GATE.await();
                    }
                    return ctx.spark().range(3).count();
                }).warmUp(new GateParams(true)).build())
                .build();
        try (KindlingService service = KindlingService.builder("warm-up-it").spark(spark)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.auth.token", "t0ken", "kindling.shutdown.grace", "5s")))
                .component(jobs).start()) {
            JsonHttp http = new JsonHttp(service.port(), "t0ken");
            assertThat(WAITING.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // the warm-up run is on a worker, held at the gate: not ready, and the reason says why
            JsonHttp.Response held = http.get("/readyz");
            assertThat(held.status()).isEqualTo(503);
            assertThat(held.json()).isEqualTo(Json.mapper().valueToTree(Map.of("status", "not ready",
                    "checks", Map.of("gated", "not ready: warming up: job 'gate' (1 of 1, run 1)"))));
            assertThat(service.status().components().get("gated").state()).isEqualTo(ComponentState.RUNNING);
            assertThat(service.status().components().get("gated").readiness()).isEqualTo("warming up: job 'gate' (1 of 1, run 1)");
            // it came in over HTTP, at the prefixed route, with the service's token, and it is not a user's job
            assertThat(http.get("/api/jobs").json().get("total").asInt()).isZero();

            GATE.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 200);
            assertThat(service.meterRegistry().get("http.server.requests").tag("route", "/api/jobs/{name}").tag("method", "POST")
                    .tag("status", "200").timer().count()).isBetween(2L, 30L);
            assertThat(http.get("/metrics").body())
                    .contains("kindling_ondemand_jobs_submitted_total{pipeline=\"gate\",service=\"warm-up-it\"} 0.0\n");
            assertThat(http.post("/api/jobs/gate?wait=20s", "{}").json().get("result").asLong()).isEqualTo(3L);

            // the session was given (FIFO, no pools declared): one INFO line says how to declare them, and Spark warns of nothing
            List<LogRecorder.Line> info = log.containing("run in Spark's default pool");
            assertThat(info).hasSize(1);
            assertThat(info.get(0).level()).isEqualTo(Level.INFO);
            assertThat(info.get(0).message()).startsWith("gated: jobs [gate] run in Spark's default pool because the SparkSession");
            assertThat(log.from("org.apache.spark.scheduler", Level.WARN)).isEmpty();
        } finally {
            log.detach();
        }
    }
}
