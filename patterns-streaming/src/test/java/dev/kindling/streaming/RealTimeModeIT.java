package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's real-time mode through the runner: {@code auto} picks it for a stateless Kafka-to-Kafka query (with its
 * decoder, dead letters and metrics) and falls back, saying why, for one that keeps state; asked for explicitly, a
 * query that cannot run in it fails its start naming the operator, the sink or the task slots.
 */
@KindlingSparkTest
@KindlingKafkaTest
class RealTimeModeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Connectors C = Connectors.builtIn();

    @TempDir
    Path tmp;
    private final List<KindlingService> services = new ArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(KindlingService::close);
    }

    private KindlingService service(SparkSession spark, StreamingRunner runner) {
        KindlingService s = KindlingService.builder("realtime").settings(Settings.of(Map.of("kindling.http.port", "0",
                "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s"))).spark(spark).component(runner).start();
        services.add(s);
        return s;
    }

    private static Pipeline.Builder shout(KafkaBroker kafka, String in) {
        return Pipeline.builder(PipelineKind.STREAMING).name("shout").source(C.source("kafka://" + kafka.bootstrapServers() + "/" + in))
                .decoder(RecordDecoder.text()).process(Processor.sql("SELECT upper(value) AS value FROM input"));
    }

    @Test
    void autoRunsAStatelessKafkaQueryInRealTimeModeWithItsDecoderDeadLettersAndMetrics(SparkSession spark, KafkaBroker kafka) {
        String in = kafka.createUniqueTopic("rt-in", 1);
        String out = kafka.createUniqueTopic("rt-out", 1);
        String dead = kafka.createUniqueTopic("rt-dead", 1);
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        StreamingRunner runner = StreamingRunner.builder(shout(kafka, in).sink(C.sink(uri + out)).deadLetters(C.sink(uri + dead)).build())
                .checkpoint(tmp.resolve("shout").toString()).build();   // the default trigger: auto, every 5 s
        service(spark, runner);
        await().atMost(TIMEOUT).until(() -> spark.streams().active().length == 2);
        assertThat(runner.details().trigger()).isEqualTo("real-time:5000ms");
        assertThat(runner.details().triggerReason()).isNull();
        assertThat(runner.details().outputMode()).isEqualTo("update");

        // the queries are running already: each record goes through as it arrives
        kafka.produce(in, List.of(KafkaMessage.of(null, "hello"), KafkaMessage.of(null, "real time")));
        kafka.produceBytes(in, null, new byte[] {(byte) 0xC3, (byte) 0x28});
        kafka.produce(in, List.of(KafkaMessage.of(null, "world")));
        assertThat(kafka.consume(out, 3, TIMEOUT)).extracting(KafkaRecord::valueAsString).containsExactly("HELLO", "REAL TIME", "WORLD");
        List<KafkaRecord> rejected = kafka.consume(dead, 1, TIMEOUT);
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).value()).containsExactly((byte) 0xC3, (byte) 0x28);
        assertThat(rejected.get(0).header("kindling.error")).contains("UTF-8");
        // metrics arrive with each checkpoint (every interval): records read and rejected are counted as in micro-batches
        await().atMost(TIMEOUT).untilAsserted(() -> {
            StreamingStatus s = runner.details();
            assertThat(s.inputRows()).isEqualTo(4);
            assertThat(s.deadLetterCount()).isEqualTo(1);
            assertThat(s.totalLag()).isZero();
        });
    }

    @Test
    void autoFallsBackToMicroBatchesForAQueryThatKeepsStateAndSaysWhyWithShufflePartitionsFromTheCores(SparkSession spark,
                                                                                                       KafkaBroker kafka) throws Exception {
        // a session that leaves spark.sql.shuffle.partitions at Spark's 200: a new checkpoint gets the cores (local[2]) instead
        spark.conf().unset("spark.sql.shuffle.partitions");
        try {
            countsInMicroBatches(spark, kafka);
            assertThat(spark.conf().get("spark.sql.shuffle.partitions")).isEqualTo("200");
        } finally {
            spark.conf().set("spark.sql.shuffle.partitions", "2");
        }
        assertThat(Files.readString(tmp.resolve("counts/query/offsets/0"))).contains("\"spark.sql.shuffle.partitions\":\"2\"");
    }

    private void countsInMicroBatches(SparkSession spark, KafkaBroker kafka) {
        String in = kafka.createUniqueTopic("rt-agg", 1);
        StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("counts")
                        .source(C.source("kafka://" + kafka.bootstrapServers() + "/" + in)).decoder(RecordDecoder.text())
                        .process(Processor.sql("SELECT value, count(*) AS n FROM input GROUP BY value"))
                        .sink(C.sink("table:rt_counts?keys=value")).build())
                .checkpoint(tmp.resolve("counts").toString()).trigger(StreamTrigger.auto(Duration.ofMillis(300))).build();
        service(spark, runner);
        kafka.produce(in, List.of(KafkaMessage.of(null, "a"), KafkaMessage.of(null, "a")));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(runner.details().inputRows()).isEqualTo(2));
        assertThat(runner.details().trigger()).isEqualTo("300ms");
        assertThat(runner.details().triggerReason())
                .isEqualTo("micro-batches every 300ms, not real-time mode: its sink table:rt_counts cannot be written in real-time mode (Kafka can)");
    }

    @Test
    void realTimeAskedForAQueryThatKeepsStateFailsTheStartNamingTheOperator(SparkSession spark, KafkaBroker kafka) {
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("agg")
                        .source(C.source(uri + kafka.createUniqueTopic("rt-agg", 1))).decoder(RecordDecoder.text())
                        .process(Processor.sql("SELECT value, count(*) AS n FROM input GROUP BY value"))
                        .sink(C.sink(uri + kafka.createUniqueTopic("rt-agg-out", 1) + "?keyColumn=value")).build())
                .checkpoint(tmp.resolve("agg").toString()).trigger(StreamTrigger.realTime(Duration.ofSeconds(1))).build();
        assertThatThrownBy(() -> service(spark, runner)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'agg' cannot run in real-time mode: it runs stateless queries only, and this one keeps "
                        + "state in the operator Aggregate [value], [value, count(1) AS n]")
                .hasMessageEndingWith("; use the trigger 'auto' to fall back to micro-batches, or a micro-batch interval");
        assertThat(spark.streams().active()).isEmpty();
    }

    @Test
    void realTimeAskedWithoutATaskSlotPerPartitionOrForASinkThatCannotFailsTheStart(SparkSession spark, KafkaBroker kafka) {
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        // the test session is local[2]: three partitions need three slots
        StreamingRunner wide = StreamingRunner.builder(shout(kafka, kafka.createUniqueTopic("rt-wide", 3))
                        .sink(C.sink(uri + kafka.createUniqueTopic("rt-wide-out", 1))).build())
                .checkpoint(tmp.resolve("wide").toString()).trigger(StreamTrigger.parse("real-time")).build();
        assertThatThrownBy(() -> service(spark, wide)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'shout' cannot run in real-time mode: it needs 3 free task slots (one per input partition: 3) "
                        + "and 2 are free");
        StreamingRunner toTable = StreamingRunner.builder(shout(kafka, kafka.createUniqueTopic("rt-narrow", 1))
                        .sink(C.sink("table:shouts?keys=value")).build())
                .checkpoint(tmp.resolve("narrow").toString()).trigger(StreamTrigger.parse("real-time:2s")).build();
        assertThatThrownBy(() -> service(spark, toTable)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'shout' cannot run in real-time mode: its sink table:shouts cannot be written in real-time mode");
        StreamingRunner tooOften = StreamingRunner.builder(shout(kafka, kafka.createUniqueTopic("rt-often", 1))
                        .sink(C.sink(uri + kafka.createUniqueTopic("rt-often-out", 1))).build())
                .checkpoint(tmp.resolve("often").toString()).trigger(StreamTrigger.parse("real-time:1s")).build();
        assertThatThrownBy(() -> service(spark, tooOften)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'shout' cannot run in real-time mode: its checkpoint interval 1000ms is below Spark's "
                        + "minimum of 5000ms (spark.sql.streaming.realTimeMode.minBatchDuration)");
        assertThat(spark.streams().active()).isEmpty();
    }
}
