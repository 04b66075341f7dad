package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Watermark;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.WriteResult;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KindlingSparkTest
@KindlingPostgresTest
class ContinuousRunnerIT {
    static PostgresDatabase db;

    @BeforeAll
    static void schema(PostgresDatabase database) {
        db = database;
    }

    private static String uri(String options) {
        return db.jdbcUrl() + "?user=" + db.user() + "&password=" + db.password() + "&" + options;
    }

    private static JdbcEndpoint endpoint() {
        return new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password()));
    }

    private static void createTables(String events, String out) {
        db.execute("CREATE TABLE " + events + " (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.execute("CREATE TABLE " + out + " (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
    }

    private static void insert(String table, String... words) {
        for (String w : words) {
            db.update("INSERT INTO " + table + " (word) VALUES (?)", w);
        }
    }

    private static List<String> rows(String table) {
        return db.queryForList("SELECT id, word FROM " + table + " ORDER BY id").stream()
                .map(r -> r.get("id") + ":" + r.get("word")).toList();
    }

    private static Pipeline pipeline(String name, String events, BatchWritable sink) {
        Connectors c = Connectors.builtIn();
        return Pipeline.builder(PipelineKind.INCREMENTAL).name(name)
                .source(c.source(uri("table=" + events + "&watermarkColumn=id")))
                .process(Processor.sql("SELECT id, upper(word) AS word FROM input"))
                .sink(sink)
                .build();
    }

    private static BatchWritable upsert(String out) {
        return (BatchWritable) Connectors.builtIn().sink(uri("table=" + out + "&mode=upsert&keys=id"));
    }

    @Test
    void publishesOnlyWhatIsNewCommitsOnlyAfterTheSinkAndAnIdleCycleRunsNoSparkJob(SparkSession spark) {
        createTables("ev1", "out1");
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "words").build();
        List<String> seenAtPublish = Collections.synchronizedList(new ArrayList<>());
        CycleListener probe = new CycleListener() {
            @Override
            public void afterPublish(long batchId, Progress pending) {
                // the sink's output is there, the watermark is still the old one
                seenAtPublish.add(batchId + " out=" + rows("out1").size() + " committed="
                        + store.load().map(p -> p.batchId() + "/" + p.watermark()).orElse("none") + " pending=" + pending.watermark());
            }
        };
        ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline("words", "ev1", upsert("out1")))
                .watermarkStore(store).listener(probe).build();

        assertThat(runner.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);   // empty table
        insert("ev1", "a", "b", "c");
        CycleReport first = runner.runOnce();
        assertThat(first).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::from, CycleReport::upTo,
                        CycleReport::rowsRead, CycleReport::rowsWritten, CycleReport::error)
                .containsExactly(0L, CycleOutcome.PUBLISHED, null, Watermark.ofLong(3), 3L, 3L, null);
        assertThat(rows("out1")).containsExactly("1:A", "2:B", "3:C");
        assertThat(store.load().map(p -> p.batchId() + "/" + p.watermark())).contains("0/LONG:3");

        Fixtures.JobCounter jobs = new Fixtures.JobCounter();
        spark.sparkContext().addSparkListener(jobs);
        try {
            int before = jobs.settled(spark);
            CycleReport idle = runner.runOnce();
            assertThat(idle).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::from, CycleReport::rowsRead,
                    CycleReport::rowsWritten).containsExactly(null, CycleOutcome.IDLE, Watermark.ofLong(3), 0L, 0L);
            assertThat(jobs.settled(spark)).as("Spark jobs started by an idle cycle").isEqualTo(before);

            insert("ev1", "d", "e");
            CycleReport second = runner.runOnce();
            assertThat(second).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::from, CycleReport::upTo,
                    CycleReport::rowsWritten).containsExactly(1L, CycleOutcome.PUBLISHED, Watermark.ofLong(3), Watermark.ofLong(5), 2L);
            assertThat(jobs.settled(spark)).as("a publishing cycle runs Spark jobs").isGreaterThan(before);
        } finally {
            spark.sparkContext().removeSparkListener(jobs);
        }
        assertThat(rows("out1")).containsExactly("1:A", "2:B", "3:C", "4:D", "5:E");
        assertThat(seenAtPublish).containsExactly(
                "0 out=3 committed=none pending=LONG:3",
                "1 out=5 committed=0/LONG:3 pending=LONG:5");
        assertThat(runner.status()).extracting(RunnerStatus::cycles, RunnerStatus::rowsRead, RunnerStatus::rowsWritten,
                RunnerStatus::consecutiveFailures).containsExactly(4L, 5L, 5L, 0);
    }

    @Test
    void aFailedPublishCommitsNothingAndTheRetryPublishesTheSameBatch(SparkSession spark) {
        createTables("ev2", "out2");
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(upsert("out2"));
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "retry").table("progress").build();
        ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline("retry", "ev2", sink)).watermarkStore(store).build();
        insert("ev2", "x", "y");
        sink.failing.set(true);
        CycleReport failed = runner.runOnce();
        assertThat(failed).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::upTo)
                .containsExactly(0L, CycleOutcome.FAILED, Watermark.ofLong(2));
        assertThat(failed.error()).contains("the test switched the sink off");
        assertThat(store.load()).isEmpty();
        assertThat(rows("out2")).isEmpty();
        assertThat(runner.status()).extracting(RunnerStatus::consecutiveFailures, RunnerStatus::lastError)
                .containsExactly(1, failed.error());

        sink.failing.set(false);
        insert("ev2", "z");
        CycleReport retried = runner.runOnce();
        assertThat(retried).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::upTo, CycleReport::rowsWritten)
                .containsExactly(0L, CycleOutcome.PUBLISHED, Watermark.ofLong(3), 3L);
        assertThat(rows("out2")).containsExactly("1:X", "2:Y", "3:Z");
        assertThat(runner.status()).extracting(RunnerStatus::consecutiveFailures, RunnerStatus::lastError).containsExactly(0, null);
        assertThat(db.queryForObject("SELECT watermark FROM progress WHERE pipeline = 'retry'", String.class)).isEqualTo("LONG:3");
    }

    @Test
    void controlPlaneBacksOffFlipsReadinessPausesResumesAndTriggers(SparkSession spark) throws Exception {
        createTables("ev3", "out3");
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(upsert("out3"));
        List<Instant> failedStarts = Collections.synchronizedList(new ArrayList<>());
        ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline("service", "ev3", sink))
                .watermarkStore(JdbcWatermarkStore.builder(endpoint(), "service").build())
                .interval(Duration.ofMillis(300))
                .initialBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofMillis(800))
                .unreadyAfterFailures(3)
                .listener(new CycleListener() {
                    @Override
                    public void afterCycle(CycleReport report) {
                        if (report.outcome() == CycleOutcome.FAILED) {
                            failedStarts.add(report.startedAt().plusMillis(report.durationMs()));
                        }
                    }
                })
                .build();
        insert("ev3", "p");
        sink.failing.set(true);
        ControlPlane plane = ContinuousService.start(runner,
                Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s")));
        int port = plane.port();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.get(port, "/readyz").statusCode() == 503);
            JsonNode failing = ControlPlane.json().readTree(Fixtures.get(port, "/status").body());
            assertThat(failing.get("state").asText()).isEqualTo("RUNNING");
            assertThat(failing.get("ready").asBoolean()).isFalse();
            assertThat(failing.get("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(failing.get("lastError").asText()).contains("the test switched the sink off");
            assertThat(failing.get("lastCycle").get("outcome").asText()).isEqualTo("FAILED");
            assertThat(rows("out3")).isEmpty();
            List<Instant> ends = List.copyOf(failedStarts);
            for (int i = 1; i < 3; i++) {
                long gap = Duration.between(ends.get(i - 1), ends.get(i)).toMillis();
                // failure i was followed by a delay drawn from [ceiling/2, ceiling], ceiling = 200ms * 2^(i-1)
                assertThat(gap).as("gap after failure %d", i).isGreaterThanOrEqualTo(100L << (i - 1));
            }
            String metrics = Fixtures.get(port, "/metrics").body();
            assertThat(metrics).containsPattern("kindling_continuous_cycles_total\\{outcome=\"failed\",pipeline=\"service\",service=\"service\"\\} [1-9]")
                    .containsPattern("kindling_continuous_consecutive_failures\\{pipeline=\"service\",service=\"service\"\\} [1-9]");

            sink.failing.set(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.get(port, "/readyz").statusCode() == 200);
            assertThat(rows("out3")).containsExactly("1:P");

            HttpResponse<String> paused = Fixtures.post(port, "/pause");
            assertThat(paused.statusCode()).isEqualTo(200);
            assertThat(ControlPlane.json().readTree(paused.body()).get("state").asText()).isEqualTo("PAUSED");
            insert("ev3", "q");
            await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3)).until(() -> rows("out3").size() == 1);

            HttpResponse<String> triggered = Fixtures.post(port, "/cycles?wait=30s");
            assertThat(triggered.statusCode()).isEqualTo(200);
            JsonNode report = ControlPlane.json().readTree(triggered.body());
            assertThat(report.get("outcome").asText()).isEqualTo("PUBLISHED");
            assertThat(report.get("rowsWritten").asLong()).isEqualTo(1L);
            assertThat(report.get("upTo").get("value").asText()).isEqualTo("2");
            assertThat(rows("out3")).containsExactly("1:P", "2:Q");

            HttpResponse<String> async = Fixtures.post(port, "/cycles");
            assertThat(async.statusCode()).isEqualTo(202);
            assertThat(async.headers().firstValue("Location")).contains("/status");

            HttpResponse<String> badWait = Fixtures.post(port, "/cycles?wait=soon");
            assertThat(badWait.statusCode()).isEqualTo(400);
            assertThat(badWait.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(ControlPlane.json().readTree(badWait.body()).get("detail").asText())
                    .isEqualTo("query parameter 'wait' must be a duration such as 500ms, 30s, 5m; got 'soon'");

            HttpResponse<String> resumed = Fixtures.post(port, "/resume");
            assertThat(ControlPlane.json().readTree(resumed.body()).get("state").asText()).isEqualTo("RUNNING");
            insert("ev3", "r");
            await().atMost(Duration.ofSeconds(30)).until(() -> rows("out3").size() == 3);
            assertThat(rows("out3")).containsExactly("1:P", "2:Q", "3:R");
        } finally {
            plane.shutdown();
        }
        assertThat(runner.status().state()).isEqualTo(RunnerStatus.State.STOPPED);
        assertThatThrownBy(runner::runCycle).isInstanceOf(IllegalStateException.class).hasMessageContaining("STOPPED");
    }

    @Test
    void shutdownLetsTheRunningCycleFinishAndCommit(SparkSession spark) throws Exception {
        createTables("ev5", "out5");
        BatchWritable target = upsert("out5");
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BatchWritable slow = new BatchWritable() {
            @Override
            public WriteResult write(Dataset<Row> data, long batchId) {
                inSink.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the sink");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return target.write(data, batchId);
            }

            @Override
            public String name() {
                return "slow(" + target.name() + ")";
            }

            @Override
            public DeliveryGuarantee guarantee() {
                return target.guarantee();
            }
        };
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "graceful").build();
        ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline("graceful", "ev5", slow))
                .watermarkStore(store).interval(Duration.ofHours(1)).build();
        insert("ev5", "s");
        ControlPlane plane = ContinuousService.start(runner,
                Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "60s")));
        assertThat(inSink.await(60, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(plane::shutdown);
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.status().state() == RunnerStatus.State.STOPPING);
        assertThat(store.load()).isEmpty();
        release.countDown();
        shutdown.get(60, TimeUnit.SECONDS);
        assertThat(runner.status()).extracting(RunnerStatus::state, s -> s.lastCycle().outcome(), s -> s.committed().batchId())
                .containsExactly(RunnerStatus.State.STOPPED, CycleOutcome.PUBLISHED, 0L);
        assertThat(rows("out5")).containsExactly("1:S");
        assertThat(store.load().map(p -> p.watermark())).contains(Watermark.ofLong(1));
    }

    @Test
    void stopsInStateFailedWhenConfiguredToAfterConsecutiveFailures(SparkSession spark) {
        createTables("ev6", "out6");
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(upsert("out6"));
        sink.failing.set(true);
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "giving-up").build();
        ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline("giving-up", "ev6", sink)).watermarkStore(store)
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(20))
                .unreadyAfterFailures(1).stopAfterFailures(3).build();
        insert("ev6", "w");
        runner.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.status().state() == RunnerStatus.State.FAILED);
        assertThat(runner.status()).extracting(RunnerStatus::ready, RunnerStatus::consecutiveFailures, RunnerStatus::cycles,
                RunnerStatus::nextCycleAt).containsExactly(false, 3, 3L, null);
        assertThat(runner.status().lastError()).contains("the test switched the sink off");
        assertThatThrownBy(runner::runCycle).isInstanceOf(IllegalStateException.class).hasMessageContaining("FAILED");
        assertThat(store.load()).isEmpty();
        assertThat(rows("out6")).isEmpty();
        runner.stop(Duration.ofSeconds(5));
        assertThat(runner.status().state()).isEqualTo(RunnerStatus.State.FAILED);
    }

    @Test
    void startsFromConfigurationAlone(SparkSession spark) {
        createTables("ev4", "out4");
        insert("ev4", "one", "two");
        Settings settings = Settings.of(Map.of(
                "kindling.continuous.name", "configured",
                "kindling.continuous.source", uri("table=ev4"),
                "kindling.continuous.watermark-column", "id",
                "kindling.continuous.sql", "SELECT id, concat(word, '!') AS word FROM input",
                "kindling.continuous.sink", uri("table=out4&mode=upsert&keys=id"),
                "kindling.continuous.watermark-store", uri("table=configured_progress").replace("&&", "&"),
                "kindling.continuous.interval", "5s"));
        ContinuousRunner runner = ContinuousService.runnerFromSettings(spark, settings);
        assertThat(runner.mode()).isEqualTo("incremental");
        assertThat(runner.runOnce().outcome()).isEqualTo(CycleOutcome.PUBLISHED);
        assertThat(rows("out4")).containsExactly("1:one!", "2:two!");
        assertThat(db.queryForObject("SELECT batch_id FROM configured_progress WHERE pipeline = 'configured'", Long.class)).isEqualTo(0L);
        assertThat(runner.status().interval()).isEqualTo("PT5S");
    }

    @Test
    void badConfigurationIsRejectedWithAClearMessage(SparkSession spark) {
        Map<String, String> base = Map.of(
                "kindling.continuous.source", uri("table=ev4"),
                "kindling.continuous.watermark-column", "id",
                "kindling.continuous.sink", uri("table=out4&mode=upsert&keys=id"));
        assertThatThrownBy(() -> ContinuousService.runnerFromSettings(spark, Settings.of(Map.of("kindling.continuous.sink", "console:"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.continuous.source (environment KINDLING_CONTINUOUS_SOURCE) is required");
        assertThatThrownBy(() -> ContinuousService.runnerFromSettings(spark, Settings.of(with(base, "kindling.continuous.checkpoint", "/tmp/cp"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kindling.continuous.checkpoint and kindling.continuous.mode=incremental exclude each other");
        assertThatThrownBy(() -> ContinuousService.runnerFromSettings(spark, Settings.of(with(base, "kindling.continuous.watermark-store", "s3://b/wm"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a watermark store URI starts with file: or jdbc:; got 's3://b/wm'");
        assertThatThrownBy(() -> ContinuousService.runnerFromSettings(spark, Settings.of(with(base, "kindling.continuous.mode", "available-now"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kindling.continuous.watermark-column and kindling.continuous.mode=available-now exclude each other");
        assertThatThrownBy(() -> ContinuousService.runnerFromSettings(spark, Settings.of(with(base, "kindling.continuous.sink", uri("table=out4")))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is AT_LEAST_ONCE: a re-run batch could be published twice");
        Pipeline incremental = pipeline("p", "ev4", upsert("out4"));
        assertThatThrownBy(() -> ContinuousRunner.builder(spark, incremental).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner of INCREMENTAL pipeline 'p' needs watermarkStore(...) (FileWatermarkStore or JdbcWatermarkStore)");
        assertThatThrownBy(() -> ContinuousRunner.builder(spark, incremental).watermarkStore(new FileWatermarkStore(java.nio.file.Path.of("/tmp/x.wm")))
                .checkpoint("/tmp/cp").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("runner of 'p': watermarkStore(...) and checkpoint(...) exclude each other");
        assertThatThrownBy(() -> ContinuousRunner.builder(spark, incremental).initialBackoff(Duration.ofSeconds(10)).maxBackoff(Duration.ofSeconds(1))
                .watermarkStore(new FileWatermarkStore(java.nio.file.Path.of("/tmp/x.wm"))).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("maxBackoff (PT1S) must not be smaller than initialBackoff (PT10S)");
        assertThatThrownBy(() -> ContinuousRunner.builder(spark, incremental).interval(Duration.ZERO))
                .isInstanceOf(ConfigurationException.class).hasMessage("interval must be at least 1 ms, got PT0S");
        Pipeline batch = Pipeline.builder(PipelineKind.BATCH).name("b").source(Connectors.builtIn().source("range:0..3"))
                .sink(upsert("out4")).build();
        assertThatThrownBy(() -> ContinuousRunner.builder(spark, batch).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("pipeline 'b' is a BATCH pipeline; a continuous runner takes an INCREMENTAL pipeline");
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }
}
