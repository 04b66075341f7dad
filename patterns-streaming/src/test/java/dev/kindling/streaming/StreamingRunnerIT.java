package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.TransientException;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private static final String WORD_COUNT = "SELECT word, count(*) AS count FROM "
            + "(SELECT explode(split(lower(value), ' ')) AS word FROM input) WHERE word <> '' GROUP BY word";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private ControlPlane plane(List<StreamingRunner> runners) {
        ControlPlane.Builder b = ControlPlane.builder("streaming-it")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .routes(StreamingRoutes.of(runners, 50));
        runners.forEach(r -> b.readiness(r.name(), r::isReady));
        ControlPlane p = b.build();
        runners.forEach(r -> r.bindTo(p.meterRegistry()));
        toClose.add(p::shutdown);
        return p;
    }

    @Test
    void wordCountsAreExactInTheTableAndOnTheKappaTopicAndLagReturnsToZero(SparkSession spark, KafkaBroker kafka) {
        String words = kafka.createUniqueTopic("words", 2);
        String counts = kafka.createUniqueTopic("word-counts", 1);
        List<KafkaMessage> lines = List.of(
                KafkaMessage.of(null, "the quick brown fox").toPartition(0),
                KafkaMessage.of(null, "The lazy dog").toPartition(1),
                KafkaMessage.of(null, "the fox").toPartition(0),
                KafkaMessage.of(null, "").toPartition(1),
                KafkaMessage.of(null, "dog dog fox").toPartition(1));
        kafka.produce(words, lines);
        Connectors c = Connectors.builtIn();
        String kafkaUri = "kafka://" + kafka.bootstrapServers() + "/";
        StreamingRunner table = StreamingRunner.builder("counts")
                .source(c.source(kafkaUri + words))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(WORD_COUNT))
                .sink(c.sink("table:word_counts?keys=word"))
                .checkpoint(tmp.resolve("table").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(500)))
                .lagInterval(Duration.ofMillis(300))
                .build();
        StreamingRunner kappa = StreamingRunner.builder("kappa")
                .source(c.source(kafkaUri + words))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(WORD_COUNT))
                .sink(c.sink(kafkaUri + counts + "?keyColumn=word"))
                .checkpoint(tmp.resolve("kappa").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(500)))
                .build();
        ControlPlane plane = plane(List.of(table, kappa));
        table.start(spark);
        toClose.add(table);
        kappa.start(spark);
        toClose.add(kappa);
        plane.start();
        int port = plane.port();

        List<Map<String, Object>> expected = List.of(
                Map.of("word", "the", "count", 3), Map.of("word", "fox", "count", 3), Map.of("word", "dog", "count", 3),
                Map.of("word", "quick", "count", 1), Map.of("word", "lazy", "count", 1), Map.of("word", "brown", "count", 1));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rowsOf(port, "/tables/word_counts?orderBy=count&desc=true&limit=50"))
                .containsExactlyInAnyOrderElementsOf(expected));
        assertThat(rowsOf(port, "/tables/word_counts?orderBy=count&desc=true&limit=2"))
                .containsExactly(Map.of("word", "dog", "count", 3), Map.of("word", "fox", "count", 3));
        assertThat(rowsOf(port, "/tables/word_counts?orderBy=word&limit=3"))
                .containsExactly(Map.of("word", "brown", "count", 1), Map.of("word", "dog", "count", 3), Map.of("word", "fox", "count", 3));

        // Kappa: the latest update per word on the counts topic is the exact count.
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(latestPerKey(kafka.consume(counts, 6, Duration.ofSeconds(5))))
                .isEqualTo(Map.of("the", "{\"word\":\"the\",\"count\":3}", "fox", "{\"word\":\"fox\",\"count\":3}",
                        "dog", "{\"word\":\"dog\",\"count\":3}", "quick", "{\"word\":\"quick\",\"count\":1}",
                        "lazy", "{\"word\":\"lazy\",\"count\":1}", "brown", "{\"word\":\"brown\",\"count\":1}")));

        // Lag: both partitions fully processed -> 0 at /status and /metrics.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(table.status().kafkaLag()).containsExactly(
                    new RunnerStatus.PartitionLag(words, 0, 2, 2, 0), new RunnerStatus.PartitionLag(words, 1, 3, 3, 0));
            String metrics = Http.get(port, "/metrics").body();
            assertThat(metrics).contains("kindling_streaming_kafka_lag{partition=\"0\",query=\"counts\",service=\"streaming-it\",topic=\""
                    + words + "\"} 0.0");
            assertThat(metrics).contains("kindling_streaming_kafka_lag{partition=\"1\",query=\"counts\",service=\"streaming-it\",topic=\""
                    + words + "\"} 0.0");
        });
        // More input: the lag is seen and caught up again, the counts move on.
        kafka.produce(words, List.of(KafkaMessage.of(null, "fox").toPartition(0)));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(rowsOf(port, "/tables/word_counts?orderBy=count&desc=true&limit=1")).containsExactly(Map.of("word", "fox", "count", 4));
            assertThat(table.status().totalLag()).isZero();
        });
        RunnerStatus s = table.status();
        assertThat(s.state()).isEqualTo(RunnerState.RUNNING);
        assertThat(s.inputRows()).isEqualTo(6);
        assertThat(s.deadLetterCount()).isZero();
        assertThat(s.outputMode()).isEqualTo("update");
        assertThat(Http.get(port, "/readyz").statusCode()).isEqualTo(200);
        List<Map<String, Object>> status = Http.rows(port, "/status");
        assertThat(status).extracting(m -> m.get("name"), m -> m.get("state"), m -> m.get("sink"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("counts", "RUNNING", "table:word_counts"),
                        org.assertj.core.groups.Tuple.tuple("kappa", "RUNNING", "kafka://" + kafka.bootstrapServers() + "/" + counts));
        assertThat(status.get(0)).containsEntry("inputRows", 6).containsEntry("deadLetterCount", 0);

        // Bad table queries: 400 with the reason, unknown table 404. Nothing reaches Spark.
        assertProblem(port, "/tables/word_counts?orderBy=nope", 400, "orderBy: unknown column 'nope'; columns: word, count");
        assertProblem(port, "/tables/word_counts?orderBy=count%3B%20DROP%20TABLE%20x", 400, "orderBy: unknown column 'count; DROP TABLE x'");
        assertProblem(port, "/tables/word_counts?limit=0", 400, "limit must be from 1 to 50; got 0");
        assertProblem(port, "/tables/word_counts?limit=51", 400, "limit must be from 1 to 50; got 51");
        assertProblem(port, "/tables/word_counts?limit=ten", 400, "limit must be a whole number from 1 to 50; got 'ten'");
        assertProblem(port, "/tables/word_counts?desc=maybe&orderBy=word", 400, "desc must be true or false; got 'maybe'");
        assertProblem(port, "/tables/word_counts?where=1", 400, "unknown query parameter 'where'");
        assertProblem(port, "/tables/nope", 404, "no queryable table is named 'nope'; tables: word_counts");
    }

    @Test
    void undecodableRecordsGoToTheDeadLetterTopicWithTheirOffsetsWhileGoodOnesAreCounted(SparkSession spark, KafkaBroker kafka) {
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
                "kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.streaming.name", "sums",
                "kindling.streaming.source", "kafka://" + kafka.bootstrapServers() + "/" + input,
                "kindling.streaming.decode", "json",
                "kindling.streaming.schema", "word STRING NOT NULL, n INT NOT NULL",
                "kindling.streaming.sql", "SELECT word, sum(n) AS total FROM input GROUP BY word",
                "kindling.streaming.sink", "table:sums?keys=word",
                "kindling.streaming.dead-letters", "kafka://" + kafka.bootstrapServers() + "/" + dead,
                "kindling.streaming.checkpoint", tmp.resolve("sums").toString()));
        config.put("kindling.streaming.trigger", "500ms");
        StreamingService service = StreamingService.start(spark, Settings.of(config), false);
        toClose.add(service::shutdown);
        int port = service.controlPlane().port();

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rowsOf(port, "/tables/sums?orderBy=word"))
                .containsExactly(Map.of("word", "a", "total", 5), Map.of("word", "b", "total", 5)));
        List<KafkaRecord> letters = kafka.consume(dead, 4, TIMEOUT);
        assertThat(letters).extracting(KafkaRecord::keyAsString, r -> r.header("kindling.topic"), r -> r.header("kindling.partition"),
                r -> r.header("kindling.offset"), r -> r.header("kindling.error")).containsExactly(
                org.assertj.core.groups.Tuple.tuple("k1", input, "0", "1", "value is not valid UTF-8"),
                org.assertj.core.groups.Tuple.tuple("k3", input, "0", "3", "value is malformed JSON or does not match the schema word STRING NOT NULL, n INT NOT NULL"),
                org.assertj.core.groups.Tuple.tuple("k4", input, "0", "4", "value is malformed JSON or does not match the schema word STRING NOT NULL, n INT NOT NULL"),
                org.assertj.core.groups.Tuple.tuple("k5", input, "0", "5", "required field 'word' is missing or null"));
        assertThat(letters.get(0).value()).isEqualTo(badUtf8);
        assertThat(letters.get(1).valueAsString()).isEqualTo("{\"word\":\"a\",\"n\":");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(service.runner().status().deadLetterCount()).isEqualTo(4);
            assertThat(Http.get(port, "/metrics").body()).contains("kindling_streaming_dead_letters_total{query=\"sums\",service=\"sums\"} 4.0");
        });
        assertThat(service.runner().state()).isEqualTo(RunnerState.RUNNING);
        assertThat(Http.get(port, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void anAggregationInAppendModeFailsNamingTheModesThatWork(SparkSession spark, KafkaBroker kafka) {
        Connectors c = Connectors.builtIn();
        StreamingRunner runner = StreamingRunner.builder("append-agg")
                .source(c.source("kafka://" + kafka.bootstrapServers() + "/" + kafka.createUniqueTopic("agg", 1)))
                .decoder(RecordDecoder.text())
                .process(Processor.sql("SELECT value, count(*) AS n FROM input GROUP BY value"))
                .sink(c.sink("table:agg?keys=value"))
                .checkpoint(tmp.resolve("agg").toString())
                .outputMode("append")
                .build();
        assertThatThrownBy(() -> runner.start(spark))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'append-agg' cannot run in output mode 'append': ")
                .hasMessageEndingWith("use output mode update or complete (an aggregation needs complete or update)");
        assertThat(runner.state()).isEqualTo(RunnerState.FAILED);
        assertThat(spark.streams().active()).isEmpty();
    }

    /** Fails its first micro-batch, then records what it gets. */
    static final class FlakySink implements StreamWritable {
        static final AtomicInteger CALLS = new AtomicInteger();
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
                batch.collectAsList().forEach(r -> SEEN.add(r.getString(0)));
            };
            return data.writeStream().foreachBatch(f);
        }
    }

    @Test
    void aFailedQueryIsRestartedFromItsCheckpointAfterABackoff(SparkSession spark, KafkaBroker kafka) {
        String topic = kafka.createUniqueTopic("flaky", 1);
        kafka.produce(topic, List.of(KafkaMessage.of(null, "one"), KafkaMessage.of(null, "two")));
        StreamingRunner runner = StreamingRunner.builder("flaky")
                .source(Connectors.builtIn().source("kafka://" + kafka.bootstrapServers() + "/" + topic))
                .decoder(RecordDecoder.text())
                .process(Processor.sql("SELECT value FROM input"))
                .sink(new FlakySink())
                .checkpoint(tmp.resolve("flaky").toString())
                .trigger(StreamTrigger.every(Duration.ofMillis(300)))
                .restartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                .build();
        runner.start(spark);
        toClose.add(runner);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(FlakySink.SEEN).containsExactly("one", "two");
            assertThat(runner.status().restarts()).isEqualTo(1);
            assertThat(runner.isReady()).isTrue();
        });
        assertThat(runner.status().lastError()).isEqualTo("the sink is down for batch 0");
        runner.stop();
        assertThat(runner.state()).isEqualTo(RunnerState.STOPPED);
        assertThat(runner.isReady()).isFalse();
        assertThat(spark.streams().active()).isEmpty();
    }

    private static List<Map<String, Object>> rowsOf(int port, String path) {
        return Http.rows(port, path);
    }

    private static Map<String, String> latestPerKey(List<KafkaRecord> records) {
        Map<String, String> out = new HashMap<>();
        records.forEach(r -> out.put(r.keyAsString(), r.valueAsString()));
        return out;
    }

    private static void assertProblem(int port, String path, int status, String detailStart) {
        HttpResponse<String> r = Http.get(port, path);
        assertThat(r.statusCode()).as(path).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat((String) Http.object(r.body()).get("detail")).startsWith(detailStart);
    }
}
