package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.internal.LocalCheckpointFileManager;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.TransientException;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
@KindlingKafkaTest
class StreamingRunnerIT {
    static final String WORD_COUNT = "SELECT word, count(*) AS count FROM "
            + "(SELECT explode(split(lower(value), ' ')) AS word FROM input) WHERE word <> '' GROUP BY word";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private KindlingService service(SparkSession spark, String name, Map<String, String> more, StreamingRunner... runners) {
        Map<String, String> s = new HashMap<>(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.shutdown.grace", "20s"));
        s.putAll(more);
        KindlingService.Builder b = KindlingService.builder(name).settings(Settings.of(s)).spark(spark);
        for (StreamingRunner r : runners) {
            b.component(r);
        }
        KindlingService service = b.start();
        toClose.add(service);
        return service;
    }

    static Pipeline.Builder wordCount(String name, String source) {
        return Pipeline.builder(PipelineKind.STREAMING).name(name).source(Connectors.builtIn().source(source))
                .decoder(RecordDecoder.text()).process(Processor.sql(WORD_COUNT));
    }

    @Test
    void wordCountsAreExactInTheTableAndOnTheKappaTopicAndLagReturnsToZero(SparkSession spark, KafkaBroker kafka) {
        String words = kafka.createUniqueTopic("words", 2);
        String counts = kafka.createUniqueTopic("word-counts", 1);
        kafka.produce(words, List.of(
                KafkaMessage.of(null, "the quick brown fox").toPartition(0),
                KafkaMessage.of(null, "The lazy dog").toPartition(1),
                KafkaMessage.of(null, "the fox").toPartition(0),
                KafkaMessage.of(null, "").toPartition(1),
                KafkaMessage.of(null, "dog dog fox").toPartition(1)));
        Connectors c = Connectors.builtIn();
        String kafkaUri = "kafka://" + kafka.bootstrapServers() + "/";
        StreamingRunner table = StreamingRunner.builder(wordCount("counts", kafkaUri + words).sink(c.sink("table:word_counts?keys=word")).build())
                .checkpoint(tmp.resolve("table").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(500)))
                .lagInterval(Duration.ofMillis(300))
                .build();
        StreamingRunner kappa = StreamingRunner.builder(wordCount("kappa", kafkaUri + words).sink(c.sink(kafkaUri + counts + "?keyColumn=word")).build())
                .checkpoint(tmp.resolve("kappa").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(500)))
                .build();
        KindlingService service = service(spark, "streaming-it", Map.of("kindling.streaming.table.max-limit", "50"), table, kappa);
        JsonHttp http = new JsonHttp(service.port(), null);

        List<Map<String, Object>> expected = List.of(
                Map.of("word", "the", "count", 3), Map.of("word", "fox", "count", 3), Map.of("word", "dog", "count", 3),
                Map.of("word", "quick", "count", 1), Map.of("word", "lazy", "count", 1), Map.of("word", "brown", "count", 1));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rows(http, "/tables/word_counts?orderBy=count&desc=true&limit=50"))
                .containsExactlyInAnyOrderElementsOf(expected));
        assertThat(rows(http, "/tables/word_counts?orderBy=count&desc=true&limit=2"))
                .containsExactly(Map.of("word", "dog", "count", 3), Map.of("word", "fox", "count", 3));
        assertThat(rows(http, "/tables/word_counts?orderBy=word&limit=3"))
                .containsExactly(Map.of("word", "brown", "count", 1), Map.of("word", "dog", "count", 3), Map.of("word", "fox", "count", 3));

        // Kappa: the latest update per word on the counts topic is the exact count.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(latestPerKey(kafka.consume(counts, 6, Duration.ofSeconds(5))))
                .isEqualTo(Map.of("the", "{\"word\":\"the\",\"count\":3}", "fox", "{\"word\":\"fox\",\"count\":3}",
                        "dog", "{\"word\":\"dog\",\"count\":3}", "quick", "{\"word\":\"quick\",\"count\":1}",
                        "lazy", "{\"word\":\"lazy\",\"count\":1}", "brown", "{\"word\":\"brown\",\"count\":1}")));

        // Lag: both partitions fully processed -> 0 in the details, at /status and at /metrics.
        assertLagIsZero(http, table, words);
        // More input: the counts move on and the lag is caught up again.
        kafka.produce(words, List.of(KafkaMessage.of(null, "fox").toPartition(0)));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(rows(http, "/tables/word_counts?orderBy=count&desc=true&limit=1")).containsExactly(Map.of("word", "fox", "count", 4));
            assertThat(table.details().kafkaLag()).containsExactly(
                    new StreamingStatus.PartitionLag(words, 0, 3, 3, 0), new StreamingStatus.PartitionLag(words, 1, 3, 3, 0));
        });
        assertStatus(service, http, table, kafka.bootstrapServers() + "/" + counts);
        assertBadTableQueriesAreRefused(http);
    }

    private static void assertLagIsZero(JsonHttp http, StreamingRunner table, String words) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(table.details().kafkaLag()).containsExactly(
                    new StreamingStatus.PartitionLag(words, 0, 2, 2, 0), new StreamingStatus.PartitionLag(words, 1, 3, 3, 0));
            assertThat(http.get("/status").json().at("/components/counts/details/kafkaLag").toString()).isEqualTo(
                    "[{\"topic\":\"" + words + "\",\"partition\":0,\"latestOffset\":2,\"processedOffset\":2,\"lag\":0},"
                            + "{\"topic\":\"" + words + "\",\"partition\":1,\"latestOffset\":3,\"processedOffset\":3,\"lag\":0}]");
            String metrics = http.get("/metrics").body();
            for (int p = 0; p < 2; p++) {
                assertThat(metrics).contains("kindling_streaming_kafka_lag{partition=\"" + p + "\",pipeline=\"counts\",service=\"streaming-it\",topic=\""
                        + words + "\"} 0.0");
            }
        });
    }

    private static void assertStatus(KindlingService service, JsonHttp http, StreamingRunner table, String countsTopic) {
        StreamingStatus s = table.details();
        assertThat(s.inputRows()).isEqualTo(6);
        assertThat(s.deadLetterCount()).isZero();
        assertThat(s.outputMode()).isEqualTo("update");
        assertThat(s.tables()).containsExactly(new StreamingStatus.TableSummary("word_counts", "/tables/word_counts", List.of("word"),
                List.of("word", "count"), 6, s.lastBatchId()));
        assertThat(http.get("/readyz").status()).isEqualTo(200);
        JsonNode status = http.get("/status").json().get("components");
        assertThat(List.of(status.get("counts"), status.get("kappa"))).extracting(n -> n.get("pattern").asText(), n -> n.get("state").asText(),
                        n -> n.at("/details/sink").asText())
                .containsExactly(tuple("streaming", "RUNNING", "table:word_counts"),
                        tuple("streaming", "RUNNING", "kafka://" + countsTopic));
        assertThat(status.at("/counts/details/inputRows").asLong()).isEqualTo(6);
        assertThat(status.at("/counts/details/tables/0/path").asText()).isEqualTo("/tables/word_counts");
        assertThat(status.at("/kappa/details/tables").size()).isZero();
        assertThat(service.routes()).containsExactly("GET /tables/word_counts (component counts)");
    }

    /** Bad table queries: 400 with the reason; an unknown table is not a route (404). Nothing reaches Spark. */
    private static void assertBadTableQueriesAreRefused(JsonHttp http) {
        assertProblem(http, "/tables/word_counts?orderBy=nope", 400, "orderBy: unknown column 'nope'; columns: word, count");
        assertProblem(http, "/tables/word_counts?orderBy=count%3B%20DROP%20TABLE%20x", 400, "orderBy: unknown column 'count; DROP TABLE x'");
        assertProblem(http, "/tables/word_counts?limit=0", 400, "limit must be from 1 to 50; got 0");
        assertProblem(http, "/tables/word_counts?limit=51", 400, "limit must be from 1 to 50; got 51");
        assertProblem(http, "/tables/word_counts?limit=ten", 400, "limit must be a whole number from 1 to 50; got 'ten'");
        assertProblem(http, "/tables/word_counts?desc=maybe&orderBy=word", 400, "desc must be true or false; got 'maybe'");
        assertProblem(http, "/tables/word_counts?where=1", 400, "unknown query parameter 'where'");
        JsonHttp.Response unknown = http.get("/tables/nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(unknown.json().get("detail").asText()).contains("GET /tables/nope");
    }

    @Test
    void aRunnerFromSettingsSendsUndecodableRecordsToDeadLettersWhileGoodOnesAreSummed(SparkSession spark, KafkaBroker kafka) {
        String input = kafka.createUniqueTopic("events", 1);
        String dead = kafka.createUniqueTopic("events-dead", 1);
        byte[] badUtf8 = {'{', '"', 'w', (byte) 0xC3, (byte) 0x28, '}'};
        kafka.produce(input, List.of(
                KafkaMessage.of("k0", "{\"word\":\"a\",\"n\":2}"),
                KafkaMessage.ofBytes("k1".getBytes(StandardCharsets.UTF_8), badUtf8),
                KafkaMessage.of("k2", "{\"word\":\"b\",\"n\":5}"),
                KafkaMessage.of("k3", "{\"word\":\"a\",\"n\":"),
                KafkaMessage.of("k4", "{\"word\":\"a\",\"n\":\"many\"}"),
                KafkaMessage.of("k5", "{\"n\":7}"),
                KafkaMessage.of("k6", "{\"word\":\"a\",\"n\":3}")));
        Map<String, String> config = new HashMap<>(Map.of(
                "kindling.streaming.name", "sums",
                "kindling.streaming.source", "kafka://" + kafka.bootstrapServers() + "/" + input,
                "kindling.streaming.decode", "json",
                "kindling.streaming.schema", "word STRING NOT NULL, n INT NOT NULL",
                "kindling.streaming.sql", "SELECT word, sum(n) AS total FROM input GROUP BY word",
                "kindling.streaming.sink", "table:sums?keys=word",
                "kindling.streaming.dead-letters", "kafka://" + kafka.bootstrapServers() + "/" + dead,
                "kindling.streaming.checkpoint", tmp.resolve("sums").toString(),
                "kindling.streaming.trigger", "500ms"));
        StreamingRunner runner = StreamingRunner.fromSettings(Settings.of(config));
        KindlingService service = service(spark, "sums", Map.of(), runner);
        JsonHttp http = new JsonHttp(service.port(), null);

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rows(http, "/tables/sums?orderBy=word"))
                .containsExactly(Map.of("word", "a", "total", 5), Map.of("word", "b", "total", 5)));
        List<KafkaRecord> letters = kafka.consume(dead, 4, TIMEOUT);
        assertThat(letters).extracting(KafkaRecord::keyAsString, r -> r.header("kindling.topic"), r -> r.header("kindling.partition"),
                r -> r.header("kindling.offset"), r -> r.header("kindling.error")).containsExactly(
                tuple("k1", input, "0", "1", "value is not valid UTF-8"),
                tuple("k3", input, "0", "3", "value is malformed JSON or does not match the schema word STRING NOT NULL, n INT NOT NULL"),
                tuple("k4", input, "0", "4", "value is malformed JSON or does not match the schema word STRING NOT NULL, n INT NOT NULL"),
                tuple("k5", input, "0", "5", "required field 'word' is missing or null"));
        assertThat(letters.get(0).value()).isEqualTo(badUtf8);
        assertThat(letters.get(1).valueAsString()).isEqualTo("{\"word\":\"a\",\"n\":");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(runner.details().deadLetterCount()).isEqualTo(4);
            assertThat(http.get("/metrics").body()).contains("kindling_streaming_dead_letters_total{pipeline=\"sums\",service=\"sums\"} 4.0");
        });
        assertThat(service.status().components().get("sums").state()).isEqualTo(ComponentState.RUNNING);
        assertThat(runner.details().deadLetters()).isEqualTo("kafka://" + kafka.bootstrapServers() + "/" + dead);
        assertThat(http.get("/readyz").status()).isEqualTo(200);
    }

    @Test
    void anAggregationInAppendModeFailsTheStartNamingTheModesThatWork(SparkSession spark, KafkaBroker kafka) {
        Connectors c = Connectors.builtIn();
        StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("append-agg")
                        .source(c.source("kafka://" + kafka.bootstrapServers() + "/" + kafka.createUniqueTopic("agg", 1)))
                        .decoder(RecordDecoder.text())
                        .process(Processor.sql("SELECT value, count(*) AS n FROM input GROUP BY value"))
                        .sink(c.sink("table:agg?keys=value"))
                        .build())
                .checkpoint(tmp.resolve("agg").toString())
                .outputMode("append")
                .build();
        assertThatThrownBy(() -> service(spark, "append-agg", Map.of(), runner))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'append-agg' cannot run in output mode 'append': ")
                .hasMessageEndingWith("use output mode update or complete (an aggregation needs complete or update)");
        assertThat(spark.streams().active()).isEmpty();
    }

    /** Fails its first micro-batch; holds the next one until the test releases it; then records what it gets. */
    static final class FlakySink implements StreamWritable {
        static final AtomicInteger CALLS = new AtomicInteger();
        static final CountDownLatch RELEASE = new CountDownLatch(1);
        static final List<String> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public DeliveryGuarantee guarantee() {
            return DeliveryGuarantee.AT_LEAST_ONCE;
        }

        @Override
        public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
            VoidFunction2<Dataset<Row>, Long> f = (batch, id) -> {
                if (CALLS.incrementAndGet() == 1) {
                    throw new TransientException("the sink is down for batch " + id, null);
                }
                if (!RELEASE.await(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the test never released the sink");
                }
                batch.collectAsList().forEach(r -> SEEN.add(r.getString(0)));
            };
            return data.writeStream().foreachBatch(f);
        }
    }

    @Test
    void aFailedQueryRecoversFromItsCheckpointAfterABackoffAndThenClearsItsError(SparkSession spark, KafkaBroker kafka) {
        String topic = kafka.createUniqueTopic("flaky", 1);
        kafka.produce(topic, List.of(KafkaMessage.of(null, "one"), KafkaMessage.of(null, "two")));
        StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("flaky")
                        .source(Connectors.builtIn().source("kafka://" + kafka.bootstrapServers() + "/" + topic))
                        .decoder(RecordDecoder.text())
                        .process(Processor.sql("SELECT value FROM input"))
                        .sink(new FlakySink())
                        .build())
                .checkpoint(tmp.resolve("flaky").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(300)))
                .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1)))
                .build();
        KindlingService service = service(spark, "flaky", Map.of(), runner);
        JsonHttp http = new JsonHttp(service.port(), null);
        try {
            // Restarted, and the re-run of batch 0 is held in the sink: the error of the failed run is still reported.
            await().atMost(TIMEOUT).untilAsserted(() -> {
                JsonNode entry = http.get("/status").json().at("/components/flaky");
                assertThat(entry.get("state").asText()).isEqualTo("RUNNING");
                assertThat(entry.at("/details/restarts").asLong()).isEqualTo(1);
                assertThat(entry.at("/lastError/kind").asText()).isEqualTo("TRANSIENT");
                assertThat(entry.at("/lastError/message").asText()).isEqualTo("the sink is down for batch 0");
                assertThat(FlakySink.CALLS).hasValue(2);
            });
        } finally {
            FlakySink.RELEASE.countDown();
        }
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(FlakySink.SEEN).containsExactly("one", "two");
            assertThat(service.status().components().get("flaky").lastError()).isNull();
            assertThat(http.get("/readyz").status()).isEqualTo(200);
        });
        assertThat(http.get("/metrics").body()).contains("kindling_streaming_restarts_total{pipeline=\"flaky\",service=\"flaky\"} 1.0");
        service.shutdown();
        assertThat(service.overran()).isEmpty();
        assertThat(service.status().components().get("flaky").state()).isEqualTo(ComponentState.STOPPED);
        assertThat(runner.readiness().ok()).isFalse();
        assertThat(spark.streams().active()).isEmpty();
        // The offset log the restart resumed from was written by Kindling's local checkpoint files: whole files, no
        // temp files left, and none of the .crc files Hadoop's local file system writes beside each file.
        assertThat(spark.conf().get(LocalCheckpointFileManager.SPARK_SETTING)).isEqualTo(LocalCheckpointFileManager.class.getName());
        try (var files = java.nio.file.Files.walk(tmp.resolve("flaky").resolve("query"))) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names).contains("metadata", "offsets", "commits", "0").noneMatch(n -> n.endsWith(".crc") || n.endsWith(".tmp"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> rows(JsonHttp http, String path) {
        JsonHttp.Response r = http.get(path);
        if (r.status() != 200) {
            throw new AssertionError(path + " answered " + r.status() + ": " + r.body());
        }
        return JSON.convertValue(r.json(), new TypeReference<List<Map<String, Object>>>() { });
    }

    private static Map<String, String> latestPerKey(List<KafkaRecord> records) {
        Map<String, String> out = new HashMap<>();
        records.forEach(r -> out.put(r.keyAsString(), r.valueAsString()));
        return out;
    }

    private static void assertProblem(JsonHttp http, String path, int status, String detailStart) {
        JsonHttp.Response r = http.get(path);
        assertThat(r.status()).as(path).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.json().get("detail").asText()).startsWith(detailStart);
    }
}
