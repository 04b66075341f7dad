package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lag client reaches a broker that requires SASL/PLAIN with the source's own {@code kafka.*}
 * options: the lag is computed at {@code /status} and {@code /metrics}, and goes back to 0 after more input.
 */
@KindlingSparkTest
class KafkaLagSaslIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void theLagIsComputedAgainstABrokerThatRequiresSaslPlain(SparkSession spark, @TempDir Path tmp) {
        try (KafkaBroker secured = KafkaBroker.startWithSaslPlain("kindling", "s3cret-pw")) {
            String topic = secured.createUniqueTopic("secured-words", 2);
            secured.produce(topic, List.of(KafkaMessage.of(null, "a b").toPartition(0), KafkaMessage.of(null, "b").toPartition(1),
                    KafkaMessage.of(null, "c a").toPartition(1)));
            Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name("secured")
                    .source(Connectors.builtIn().source("kafka://" + secured.bootstrapServers() + "/" + topic, secured.sparkOptions()))
                    .decoder(RecordDecoder.text())
                    .process(Processor.sql(StreamingRunnerIT.WORD_COUNT))
                    .sink(Connectors.builtIn().sink("table:secured_counts?keys=word"))
                    .build();
            StreamingRunner runner = StreamingRunner.builder(pipeline).checkpoint(tmp.resolve("cp").toString())
                    .trigger(StreamTrigger.every(Duration.ofMillis(500))).lagInterval(Duration.ofMillis(300)).build();
            try (KindlingService service = KindlingService.builder("secured").spark(spark)
                    .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s")))
                    .component(runner).start()) {
                JsonHttp http = new JsonHttp(service.port(), null);
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(StreamingRunnerIT.rows(http, "/tables/secured_counts?orderBy=word"))
                        .containsExactly(Map.of("word", "a", "count", 2), Map.of("word", "b", "count", 2), Map.of("word", "c", "count", 1)));
                assertLag(http, topic, 1, 2);

                secured.produce(topic, List.of(KafkaMessage.of(null, "c").toPartition(0), KafkaMessage.of(null, "c").toPartition(0)));
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(StreamingRunnerIT.rows(http, "/tables/secured_counts?orderBy=word"))
                        .containsExactly(Map.of("word", "a", "count", 2), Map.of("word", "b", "count", 2), Map.of("word", "c", "count", 3)));
                assertLag(http, topic, 3, 2);
            }
        }
    }

    private static void assertLag(JsonHttp http, String topic, long latest0, long latest1) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(http.get("/status").json().at("/components/secured/details/kafkaLag").toString()).isEqualTo(
                    "[{\"topic\":\"" + topic + "\",\"partition\":0,\"latestOffset\":" + latest0 + ",\"processedOffset\":" + latest0 + ",\"lag\":0},"
                            + "{\"topic\":\"" + topic + "\",\"partition\":1,\"latestOffset\":" + latest1 + ",\"processedOffset\":" + latest1
                            + ",\"lag\":0}]");
            String metrics = http.get("/metrics").body();
            for (int p = 0; p < 2; p++) {
                assertThat(metrics).contains("kindling_streaming_kafka_lag{partition=\"" + p + "\",pipeline=\"secured\",service=\"secured\",topic=\""
                        + topic + "\"} 0.0");
            }
        });
    }
}
