package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.ipp.Watermark;
import dev.kindling.ipp.WriteResult;
import dev.kindling.service.ComponentError;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incremental mode on PostgreSQL: what a cycle reads, publishes and commits, and the runner's HTTP routes in a service. */
@KindlingSparkTest
@KindlingPostgresTest
class ContinuousRunnerIT {
    static PostgresDatabase db;

    @TempDir
    Path tmp;

    @BeforeAll
    static void schema(PostgresDatabase database) {
        db = database;
    }

    static String uri(String options) {
        return db.jdbcUrl() + "?user=" + db.user() + "&password=" + db.password() + "&" + options;
    }

    private static JdbcEndpoint endpoint() {
        return new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password()));
    }

    static void createTables(String events, String out) {
        db.execute("CREATE TABLE " + events + " (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.execute("CREATE TABLE " + out + " (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
    }

    static void insert(String table, String... words) {
        for (String w : words) {
            db.update("INSERT INTO " + table + " (word) VALUES (?)", w);
        }
    }

    static List<String> rows(String table) {
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

    static BatchWritable upsert(String out) {
        return (BatchWritable) Connectors.builtIn().sink(uri("table=" + out + "&mode=upsert&keys=id"));
    }

    @Test
    void publishesOnlyWhatIsNewCommitsOnlyAfterTheSinkAndAnIdleCycleRunsNoSparkJob(SparkSession spark) {
        createTables("ev1", "out1");
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "words").build();
        List<String> seenAtPublish = Collections.synchronizedList(new ArrayList<>());
        CycleListener probe = new CycleListener() {
            @Override
            public void afterPublish(long batchId, CommittedBatch pending) {
                // the sink's output is there, the watermark is still the old one
                seenAtPublish.add(batchId + " out=" + rows("out1").size() + " committed="
                        + store.load().map(p -> p.batchId() + "/" + p.watermark()).orElse("none") + " pending=" + pending.watermark());
            }
        };
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("words", "ev1", upsert("out1")))
                .watermarkStore(store).listener(probe).startPaused(true).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            assertThat(runner.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);   // empty table
            insert("ev1", "a", "b", "c");
            CycleReport first = runner.runOnce();
            assertThat(first).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::from, CycleReport::upTo,
                            CycleReport::rowsRead, CycleReport::rowsWritten, CycleReport::deadLetters, CycleReport::error)
                    .containsExactly(0L, CycleOutcome.PUBLISHED, null, Watermark.ofLong(3), 3L, 3L, 0L, null);
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
            assertThat(runner.details()).extracting(ContinuousStatus::mode, ContinuousStatus::cycles, ContinuousStatus::rowsRead,
                            ContinuousStatus::rowsWritten, ContinuousStatus::deadLetters, ContinuousStatus::consecutiveFailures,
                            ContinuousStatus::nextCycleAt, s -> s.committed().batchId())
                    .containsExactly("incremental", 4L, 5L, 5L, 0L, 0, null, 1L);
        }
    }

    @Test
    void aFailedPublishCommitsNothingAndTheRetryPublishesTheSameBatch(SparkSession spark) {
        createTables("ev2", "out2");
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(upsert("out2"));
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(), "retry").table("progress").build();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("retry", "ev2", sink)).watermarkStore(store).startPaused(true).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            insert("ev2", "x", "y");
            sink.failing.set(true);
            CycleReport failed = runner.runOnce();
            assertThat(failed).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::upTo, CycleReport::error)
                    .containsExactly(0L, CycleOutcome.FAILED, Watermark.ofLong(2), "the test switched the sink off");
            assertThat(store.load()).isEmpty();
            assertThat(rows("out2")).isEmpty();
            assertThat(runner.details().consecutiveFailures()).isEqualTo(1);
            assertThat(service.status().components().get("retry")).extracting(s -> s.state(), s -> s.lastError().kind(),
                    s -> s.lastError().message()).containsExactly(ComponentState.PAUSED, "TRANSIENT", "the test switched the sink off");

            sink.failing.set(false);
            insert("ev2", "z");
            CycleReport retried = runner.runOnce();
            assertThat(retried).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::upTo, CycleReport::rowsWritten)
                    .containsExactly(0L, CycleOutcome.PUBLISHED, Watermark.ofLong(3), 3L);
            assertThat(rows("out2")).containsExactly("1:X", "2:Y", "3:Z");
            assertThat(runner.details().consecutiveFailures()).isZero();
            assertThat(service.status().components().get("retry").lastError()).isNull();
            assertThat(db.queryForObject("SELECT watermark FROM progress WHERE pipeline = 'retry'", String.class)).isEqualTo("LONG:3");
        }
    }

    @Test
    void overHttpItBacksOffTurnsUnreadyRecoversPausesRunsRequestedCyclesAndResumes(SparkSession spark) {
        createTables("ev3", "out3");
        Fixtures.SwitchableSink sink = new Fixtures.SwitchableSink(upsert("out3"));
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("service", "ev3", sink))
                .watermarkStore(JdbcWatermarkStore.builder(endpoint(), "service").build())
                .interval(Duration.ofHours(1))   // after the first success, only requested cycles and resume() run one
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .unreadyAfterFailures(3)
                .listener(journal)
                .build();
        insert("ev3", "p");
        sink.failing.set(true);
        KindlingService service = Fixtures.serve(spark, runner);
        try {
            JsonHttp http = new JsonHttp(service.port(), null);
            backsOffTurnsUnreadyAndRecovers(http, sink, journal);
            runsOnlyRequestedCyclesWhilePaused(http, journal);
        } finally {
            service.shutdown();
        }
        assertThat(service.status().components().get("service").state()).isEqualTo(ComponentState.STOPPED);
        assertThatThrownBy(runner::runCycle).isInstanceOf(IllegalStateException.class)
                .hasMessage("continuous runner 'service' is STOPPED: it runs cycles only while started");
    }

    private static void backsOffTurnsUnreadyAndRecovers(JsonHttp http, Fixtures.SwitchableSink sink, Fixtures.Journal journal) {
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 503);
        JsonNode failing = http.get("/status").json().get("components").get("service");
        assertThat(failing.get("state").asText()).isEqualTo("RECOVERING");
        assertThat(failing.get("ready").asBoolean()).isFalse();
        assertThat(failing.get("lastError").get("kind").asText()).isEqualTo("TRANSIENT");
        assertThat(failing.get("lastError").get("message").asText()).isEqualTo("the test switched the sink off");
        assertThat(failing.get("details").get("consecutiveFailures").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(failing.get("details").get("lastCycle").get("outcome").asText()).isEqualTo("FAILED");
        assertThat(rows("out3")).isEmpty();
        String metrics = http.get("/metrics").body();
        assertThat(metrics).containsPattern("kindling_continuous_cycles_total\\{outcome=\"failed\",pipeline=\"service\",service=\"test\"\\} [1-9]")
                .containsPattern("kindling_continuous_consecutive_failures\\{pipeline=\"service\",service=\"test\"\\} [1-9]");

        sink.failing.set(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").status() == 200);
        assertThat(rows("out3")).containsExactly("1:P");
        JsonNode recovered = http.get("/status").json().get("components").get("service");
        assertThat(recovered.get("state").asText()).isEqualTo("RUNNING");
        assertThat(recovered.get("lastError").isNull()).isTrue();
        assertThat(recovered.get("details").get("nextCycleAt").isNull()).as("the next cycle is scheduled").isFalse();
        List<String> untilRecovered = List.copyOf(journal.events);
        assertThat(untilRecovered.subList(untilRecovered.size() - 2, untilRecovered.size())).containsExactly("read 0", "published 0");
        assertThat(untilRecovered.subList(0, untilRecovered.size() - 2))
                .allMatch(e -> e.equals("read 0") || e.equals("FAILED: the test switched the sink off"));
    }

    private static void runsOnlyRequestedCyclesWhilePaused(JsonHttp http, Fixtures.Journal journal) {
        JsonHttp.Response paused = http.post("/pause", "");
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().toString()).isEqualTo("{\"component\":\"service\",\"state\":\"PAUSED\",\"nextCycleAt\":null}");
        JsonNode pausedStatus = http.get("/status").json().get("components").get("service");
        assertThat(pausedStatus.get("state").asText()).isEqualTo("PAUSED");
        assertThat(pausedStatus.get("ready").asBoolean()).isTrue();
        assertThat(pausedStatus.get("details").get("nextCycleAt").isNull()).as("no cycle is scheduled while paused").isTrue();

        int before = journal.events.size();
        insert("ev3", "q");
        JsonHttp.Response triggered = http.post("/cycles?wait=30s", "");
        assertThat(triggered.status()).isEqualTo(200);
        assertThat(triggered.json().get("outcome").asText()).isEqualTo("PUBLISHED");
        assertThat(triggered.json().get("rowsWritten").asLong()).isEqualTo(1L);
        assertThat(triggered.json().get("upTo").get("value").asText()).isEqualTo("2");
        assertThat(rows("out3")).containsExactly("1:P", "2:Q");
        assertThat(journal.events.subList(before, journal.events.size()))
                .as("while paused, only the requested cycle ran").containsExactly("read 1", "published 1");

        JsonHttp.Response async = http.post("/cycles", "");
        assertThat(async.status()).isEqualTo(202);
        assertThat(async.header("Location")).isEqualTo("/status");
        assertThat(async.json().toString()).isEqualTo("{\"requested\":true,\"status\":\"/status\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> journal.events.size() == before + 3);
        assertThat(journal.events.get(before + 2)).isEqualTo("IDLE");

        JsonHttp.Response badWait = http.post("/cycles?wait=soon", "");
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.header("Content-Type")).startsWith("application/problem+json");
        assertThat(badWait.json().get("detail").asText())
                .isEqualTo("'wait' is 'soon'; expected a duration from 1ms to 10m, such as 500ms, 10s, 5m");

        insert("ev3", "r");
        JsonHttp.Response resumed = http.post("/resume", "");
        assertThat(resumed.json().get("state").asText()).isEqualTo("RUNNING");
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("out3").size() == 3);
        assertThat(rows("out3")).containsExactly("1:P", "2:Q", "3:R");
        await().atMost(Duration.ofSeconds(30)).until(() -> journal.events.size() == before + 5);
        assertThat(journal.events.subList(before + 3, journal.events.size())).containsExactly("read 2", "published 2");
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
        ContinuousRunner runner = ContinuousRunner.builder(pipeline("graceful", "ev5", slow))
                .watermarkStore(store).interval(Duration.ofHours(1)).build();
        insert("ev5", "s");
        KindlingService service = Fixtures.serve(spark, runner, "kindling.shutdown.grace", "60s");
        assertThat(inSink.await(60, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(service::shutdown);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> service.status().components().get("graceful").state() == ComponentState.STOPPING);
        assertThat(store.load()).isEmpty();
        release.countDown();
        shutdown.get(60, TimeUnit.SECONDS);
        assertThat(service.overran()).isEmpty();
        assertThat(service.status().components().get("graceful").state()).isEqualTo(ComponentState.STOPPED);
        assertThat(runner.details()).extracting(s -> s.lastCycle().outcome(), s -> s.committed().batchId(), ContinuousStatus::nextCycleAt)
                .containsExactly(CycleOutcome.PUBLISHED, 0L, null);
        assertThat(rows("out5")).containsExactly("1:S");
        assertThat(store.load().map(CommittedBatch::watermark)).contains(Watermark.ofLong(1));
    }

    @Test
    void aDecoderWithDeadLettersWorksOnABatchSource(SparkSession spark) {
        db.execute("CREATE TABLE orders_raw (id BIGSERIAL PRIMARY KEY, value TEXT)");
        for (String v : List.of("{\"order_id\": 1, \"amount\": 2.5}", "not json", "{\"order_id\": 2, \"amount\": 4.0}", "{\"amount\": 1.0}")) {
            db.update("INSERT INTO orders_raw (value) VALUES (?)", v);
        }
        Connectors c = Connectors.builtIn();
        Path out = tmp.resolve("orders");
        Path dead = tmp.resolve("dead");
        Pipeline p = Pipeline.builder(PipelineKind.INCREMENTAL).name("orders")
                .source(c.source(uri("table=orders_raw&watermarkColumn=id")))
                .decoder(RecordDecoder.json("order_id BIGINT NOT NULL, amount DOUBLE"))
                .process(Processor.sql("SELECT order_id, amount * 2 AS doubled FROM input"))
                .sink(c.sink("file:" + out + "?format=parquet&perBatch=true"))
                .deadLetters(c.sink("file:" + dead + "?format=parquet&perBatch=true"))
                .build();
        ContinuousRunner runner = ContinuousRunner.builder(p).watermarkStore(new FileWatermarkStore(tmp.resolve("orders.watermark")))
                .startPaused(true).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            assertThat(runner.runOnce()).extracting(CycleReport::outcome, CycleReport::batchId, CycleReport::rowsRead, CycleReport::rowsWritten,
                    CycleReport::deadLetters).containsExactly(CycleOutcome.PUBLISHED, 0L, 4L, 2L, 2L);
            assertThat(spark.read().parquet(out.toString()).orderBy("order_id").collectAsList().stream()
                    .map(r -> r.getAs("order_id") + ":" + r.getAs("doubled") + ":b" + r.getAs("batch_id")).toList())
                    .containsExactly("1:5.0:b0", "2:8.0:b0");
            assertThat(spark.read().parquet(dead.toString()).selectExpr("CAST(value AS STRING) AS v", "error", "batch_id").orderBy("v")
                    .collectAsList().stream().map(r -> r.getString(0) + "|" + r.getString(1) + "|b" + r.getAs("batch_id")).toList())
                    .containsExactly("not json|value is malformed JSON or does not match the schema order_id BIGINT NOT NULL, amount DOUBLE|b0",
                            "{\"amount\": 1.0}|required field 'order_id' is missing or null|b0");
            assertThat(runner.details()).extracting(ContinuousStatus::rowsRead, ContinuousStatus::rowsWritten, ContinuousStatus::deadLetters)
                    .containsExactly(4L, 2L, 2L);
            assertThat(new JsonHttp(service.port(), null).get("/metrics").body())
                    .contains("kindling_continuous_dead_letters_total{pipeline=\"orders\",service=\"test\"} 2.0")
                    .contains("kindling_continuous_rows_written_total{pipeline=\"orders\",service=\"test\"} 2.0");
        }
    }

    /**
     * Requests that arrive while a cycle runs are answered by one more cycle, not one each: however many callers ask,
     * the runner holds one pending request, and a caller that gives up (cancels its future) takes no one else's answer
     * with it.
     */
    @Test
    void manyRequestsWhileACycleRunsShareOneNextCycle(SparkSession spark) throws Exception {
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BatchWritable held = new BatchWritable() {
            @Override
            public WriteResult write(Dataset<Row> data, long batchId) {
                inSink.countDown();
                try {
                    assertThat(release.await(2, TimeUnit.MINUTES)).as("released by the test").isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return new WriteResult(batchId, data.count(), 0);
            }

            @Override
            public String name() {
                return "held";
            }

            @Override
            public DeliveryGuarantee guarantee() {
                return DeliveryGuarantee.IDEMPOTENT;
            }
        };
        Fixtures.CountingSource source = new Fixtures.CountingSource(3);
        Pipeline p = Pipeline.builder(PipelineKind.INCREMENTAL).name("coalesced").source(source).sink(held).build();
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = ContinuousRunner.builder(p).watermarkStore(new FileWatermarkStore(tmp.resolve("coalesced.watermark")))
                .listener(journal).startPaused(true).build();
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            CompletableFuture<CycleReport> first = runner.runCycle();
            assertThat(inSink.await(2, TimeUnit.MINUTES)).as("the first cycle reached the sink").isTrue();
            source.rows.set(5);
            List<CompletableFuture<CycleReport>> later = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                later.add(runner.runCycle());
            }
            later.get(0).cancel(true);
            release.countDown();

            assertThat(first.get(2, TimeUnit.MINUTES)).extracting(CycleReport::outcome, CycleReport::batchId)
                    .containsExactly(CycleOutcome.PUBLISHED, 0L);
            List<CycleReport> answers = new java.util.ArrayList<>();
            for (CompletableFuture<CycleReport> f : later.subList(1, later.size())) {
                answers.add(f.get(2, TimeUnit.MINUTES));
            }
            assertThat(answers).as("199 callers, one answer").allMatch(r -> r.equals(answers.get(0)));
            assertThat(answers.get(0)).extracting(CycleReport::outcome, CycleReport::batchId, CycleReport::rowsWritten)
                    .containsExactly(CycleOutcome.PUBLISHED, 1L, 2L);
            assertThat(later.get(0)).isCancelled();
            assertThat(journal.events).as("two cycles ran, not two hundred").containsExactly("read 0", "published 0", "read 1", "published 1");
        }
    }
}
