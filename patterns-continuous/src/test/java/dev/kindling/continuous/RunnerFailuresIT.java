package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.service.ComponentState;
import dev.kindling.service.ComponentStatus;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What failures do to the runner's state: FAILED at once, FAILED when its thread dies, RECOVERING then RUNNING, FAILED after N. */
@KindlingSparkTest
class RunnerFailuresIT {
    @TempDir
    Path tmp;

    private Pipeline pipeline(String name, BatchWritable sink) {
        return Pipeline.builder(PipelineKind.INCREMENTAL).name(name).source(new Fixtures.CountingSource(3)).sink(sink).build();
    }

    private BatchWritable files(String name) {
        return (BatchWritable) Connectors.builtIn().sink("file:" + tmp.resolve(name) + "?format=parquet&perBatch=true");
    }

    private static ComponentStatus status(KindlingService service, String name) {
        return service.status().components().get(name);
    }

    @Test
    void aConfigurationErrorInACycleFailsTheRunnerAtOnceWithoutRetrying(SparkSession spark) throws Exception {
        Path wm = tmp.resolve("damaged.watermark");
        Files.writeString(wm, "batchId=x\n");
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("damaged", files("damaged")))
                .watermarkStore(new FileWatermarkStore(wm)).backoff(Duration.ofMillis(1), Duration.ofMillis(1)).listener(journal).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> status(service, "damaged").state() == ComponentState.FAILED);
            ComponentStatus s = status(service, "damaged");
            assertThat(s.lastError().kind()).isEqualTo("CONFIGURATION");
            assertThat(s.lastError().message()).startsWith("the watermark file " + wm.toAbsolutePath() + " is damaged");
            assertThat(s.ready()).isFalse();
            assertThat(journal.events).hasSize(1).allMatch(e -> e.startsWith("FAILED: the watermark file "));
            assertThat(runner.details()).extracting(ContinuousStatus::cycles, ContinuousStatus::nextCycleAt).containsExactly(1L, null);
            JsonHttp http = new JsonHttp(service.port(), null);
            assertThat(http.get("/readyz").status()).isEqualTo(503);
            JsonHttp.Response refused = http.post("/cycles", "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("detail").asText()).isEqualTo("continuous runner 'damaged' is FAILED: it runs cycles only while started");
            assertThat(http.post("/resume", "").status()).isEqualTo(409);
            assertThat(journal.events).as("no cycle ran after the configuration error").hasSize(1);
        }
    }

    /** What a broken listener throws: an Error, which no cycle survives. */
    static final class BrokenListenerError extends Error {
        BrokenListenerError() {
            super("the listener broke on purpose");
        }
    }

    @Test
    void anErrorThatKillsTheCycleThreadFailsTheRunnerAndItsWaitingRequests(SparkSession spark) throws Exception {
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("dying", files("dying")))
                .watermarkStore(new FileWatermarkStore(tmp.resolve("dying.watermark")))
                .startPaused(true)
                .listener(new CycleListener() {
                    @Override
                    public void beforeRead(long batchId) {
                        throw new BrokenListenerError();
                    }

                    @Override
                    public void afterCycle(CycleReport report) {
                        journal.afterCycle(report);
                    }
                })
                .build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            assertThat(status(service, "dying").state()).isEqualTo(ComponentState.PAUSED);
            CompletableFuture<CycleReport> requested = runner.runCycle();
            assertThatThrownBy(() -> requested.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BrokenListenerError.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> status(service, "dying").state() == ComponentState.FAILED);
            assertThat(status(service, "dying").lastError().message()).isEqualTo("the listener broke on purpose");
            assertThat(journal.events).containsExactly("FAILED: the listener broke on purpose");
            assertThat(new JsonHttp(service.port(), null).get("/readyz").status()).isEqualTo(503);
            assertThatThrownBy(runner::runCycle).isInstanceOf(IllegalStateException.class)
                    .hasMessage("continuous runner 'dying' is FAILED: it runs cycles only while started");
        }
    }

    @Test
    void aTransientFailureMovesToRecoveringAndASuccessBackToRunning(SparkSession spark) throws Exception {
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(files("blip"));
        sink.failing.set(true);
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("blip", sink))
                .watermarkStore(new FileWatermarkStore(tmp.resolve("blip.watermark")))
                .interval(Duration.ofHours(1))
                .backoff(Duration.ofHours(1), Duration.ofHours(1))   // no retry on its own during the test: the test asks for it
                .unreadyAfterFailures(1)
                .build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(service, "blip").state() == ComponentState.RECOVERING);
            ComponentStatus recovering = status(service, "blip");
            assertThat(recovering.ready()).isFalse();
            assertThat(recovering.readiness()).isEqualTo("RECOVERING: the test switched the sink off");
            assertThat(recovering.lastError()).extracting(e -> e.kind(), e -> e.message())
                    .containsExactly("TRANSIENT", "the test switched the sink off");
            assertThat(runner.details()).extracting(ContinuousStatus::cycles, ContinuousStatus::consecutiveFailures).containsExactly(1L, 1);
            assertThat(runner.details().nextCycleAt()).as("the retry is scheduled after the backoff").isNotNull();

            sink.failing.set(false);
            JsonHttp http = new JsonHttp(service.port(), null);
            JsonHttp.Response retried = http.post("/cycles?wait=60s", "");
            assertThat(retried.status()).isEqualTo(200);
            assertThat(retried.json().get("outcome").asText()).isEqualTo("PUBLISHED");
            ComponentStatus running = status(service, "blip");
            assertThat(running).extracting(ComponentStatus::state, ComponentStatus::ready, ComponentStatus::lastError)
                    .containsExactly(ComponentState.RUNNING, true, null);
            assertThat(http.get("/readyz").status()).isEqualTo(200);
            assertThat(spark.read().parquet(tmp.resolve("blip").toString()).orderBy("id").collectAsList().stream()
                    .map(r -> r.getLong(0) + ":b" + r.getAs("batch_id")).toList()).containsExactly("1:b0", "2:b0", "3:b0");
        }
    }

    @Test
    void afterStopAfterFailuresFailedCyclesInARowTheRunnerIsFailed(SparkSession spark) {
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(files("giving-up"));
        sink.failing.set(true);
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("giving-up", sink))
                .watermarkStore(new FileWatermarkStore(tmp.resolve("giving-up.watermark")))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
                .unreadyAfterFailures(1).stopAfterFailures(3).listener(journal).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(service, "giving-up").state() == ComponentState.FAILED);
            assertThat(runner.details()).extracting(ContinuousStatus::consecutiveFailures, ContinuousStatus::cycles,
                    ContinuousStatus::nextCycleAt).containsExactly(3, 3L, null);
            assertThat(status(service, "giving-up").lastError().message())
                    .isEqualTo("continuous runner 'giving-up' stops after 3 failed cycles in a row; the last: the test switched the sink off");
            assertThat(journal.events).isEqualTo(List.of("read 0", "FAILED: the test switched the sink off", "read 0",
                    "FAILED: the test switched the sink off", "read 0", "FAILED: the test switched the sink off"));
            assertThat(Files.exists(tmp.resolve("giving-up.watermark"))).isFalse();
        }
    }
}
