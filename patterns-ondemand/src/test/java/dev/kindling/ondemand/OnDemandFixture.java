package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The service the on-demand HTTP tests share: a real local Spark that the service creates itself (with
 * the FAIR pools the component declares), one worker, a queue of two, and a token (on every route but the probes).
 * Each subclass runs in a JVM of its own (the module's Failsafe configuration), so each gets its own.
 */
abstract class OnDemandFixture {
    static final String TOKEN = "s3cret";

    record CountParams(Long n) {
    }

    record CountResult(long n, long evens) {
    }

    record SpinParams(Integer partitions) {
    }

    static KindlingService service;
    static JsonHttp http;
    static final java.util.concurrent.atomic.AtomicBoolean NAP_INTERRUPTED = new java.util.concurrent.atomic.AtomicBoolean();
    static final java.util.concurrent.atomic.AtomicBoolean STUBBORN_RELEASE = new java.util.concurrent.atomic.AtomicBoolean();
    static final java.util.concurrent.atomic.AtomicReference<Thread> STUBBORN_THREAD = new java.util.concurrent.atomic.AtomicReference<>();
    static SparkSession spark;
    static LogRecorder log;

    @BeforeAll
    static void start() {
        log = LogRecorder.attach();
        service = KindlingService.builder("ondemand-it")
                .settings(Settings.of(Map.ofEntries(
                        Map.entry("spark.master", "local[2]"),
                        Map.entry("spark.ui.enabled", "false"),
                        Map.entry("spark.driver.host", "127.0.0.1"),
                        Map.entry("spark.driver.bindAddress", "127.0.0.1"),
                        Map.entry("spark.sql.shuffle.partitions", "2"),
                        Map.entry("kindling.http.port", "0"),
                        Map.entry("kindling.http.host", "127.0.0.1"),
                        Map.entry("kindling.http.max-request-bytes", "2000"),
                        Map.entry("kindling.auth.token", TOKEN),
                        Map.entry("kindling.ondemand.workers", "1"),
                        Map.entry("kindling.ondemand.queue-capacity", "2"),
                        Map.entry("kindling.ondemand.max-wait", "30s"),
                        Map.entry("kindling.ondemand.max-timeout", "60s"),
                        Map.entry("kindling.ondemand.progress-interval", "50ms"),
                        Map.entry("kindling.ondemand.pool.weight", "3"),
                        Map.entry("kindling.ondemand.pool.min-share", "1"),
                        Map.entry("kindling.shutdown.grace", "5s"))))
                .component(jobs())
                .start();
        spark = service.spark();
        http = new JsonHttp(service.port(), TOKEN);
        await().atMost(Duration.ofSeconds(90)).until(() -> http.get("/readyz").status() == 200);
    }

    private static JobService jobs() {
        return JobService.builder("jobs")
                .job(JobDefinition.builder("count", CountParams.class,
                                (ctx, p) -> new CountResult(p.n(), ctx.spark().range(p.n()).filter("id % 2 = 0").count()))
                        .validator(p -> {
                            if (p.n() == null || p.n() < 1 || p.n() > 1_000_000) {
                                throw new InvalidParamsException("n", "1..1000000", p.n());
                            }
                        })
                        .warmUp(new CountParams(10L))
                        .readOnly()
                        .build())

                // runs until cancelled: 10^13 random numbers summed
                .job(JobDefinition.builder("spin", SpinParams.class,
                        (ctx, p) -> ctx.spark().range(0, 10_000_000_000_000L, 1, p.partitions() == null ? 4 : p.partitions())
                                .where("rand() > 0.5").count() * 1.0).build())
                // blocks in the driver until its thread is interrupted, and says so
                .job(JobDefinition.<Map<String, Object>, String>builder("nap", castMap(), (ctx, p) -> {
                    try {
                        new java.util.concurrent.CountDownLatch(1).await();
                        return "woke up";
                    } catch (InterruptedException e) {
                        NAP_INTERRUPTED.set(true);
                        throw new IllegalStateException("interrupted", e);
                    }
                }).build())
                // spins in the driver, ignoring interrupts, until the test lets it go
                .job(JobDefinition.<Map<String, Object>, String>builder("stubborn", castMap(), (ctx, p) -> {
                    STUBBORN_THREAD.set(Thread.currentThread());
                    while (!STUBBORN_RELEASE.get()) {
                        Thread.onSpinWait();
                    }
                    return "done anyway";
                }).build())
                .job(JobDefinition.<Map<String, Object>, String>builder("progress", castMap(), (ctx, p) -> {
                    ctx.reportProgress(0.5, "half");
                    return "counted " + ctx.spark().range(0, 1000, 1, 4).count();
                }).build())
                .job(JobDefinition.<Map<String, Object>, String>builder("boom", castMap(), (ctx, p) -> {
                    throw new IllegalStateException("boom at " + ctx.jobName());
                }).build())
                .job(JobDefinition.builder("metered", CountParams.class, (ctx, p) -> ctx.spark().range(p.n()).count()).build())
                .job(JobDefinition.rows("double", Processor.sql("SELECT id, id * 2 AS twice FROM input ORDER BY id"), 2))
                .job(JobDefinition.pipeline("evens", Pipeline.builder(PipelineKind.BATCH).name("evens")
                        .source(Connectors.builtIn().source("range:0..10"))
                        .process(Processor.filter("id % 2 = 0"))
                        .sink(Connectors.builtIn().sink("memory:evens_out"))
                        .build()))
                .syncRoute("/count", "count")
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Class<Map<String, Object>> castMap() {
        return (Class<Map<String, Object>>) (Class<?>) Map.class;
    }

    @AfterAll
    static void stop() {
        service.shutdown();
        log.detach();
    }

    @AfterEach
    void cancelLeftovers() {
        for (JsonNode job : http.get("/jobs?limit=100").json().get("jobs")) {
            String state = job.get("state").asText();
            if (state.equals("QUEUED") || state.equals("RUNNING") || state.equals("CANCELLING")) {
                http.delete("/jobs/" + job.get("id").asText());
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
    }

    static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String startSpin() {
        JsonHttp.Response r = http.post("/jobs/spin", "{\"partitions\": 4}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode j = http.get("/jobs/" + id).json();
            return j.get("state").asText().equals("RUNNING") && j.get("progress").get("tasksTotal").asInt() > 0;
        });
        return id;
    }
}
