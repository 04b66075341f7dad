package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.PacedProducer;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
@KindlingKafkaTest
class WordCountIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void countsWordsIntoTheTopAndTheKappaTopicAndSendsBadLinesToDeadLetters(SparkSession spark, KafkaBroker kafka) {
        String words = kafka.createUniqueTopic("words", 1);
        String counts = kafka.createUniqueTopic("word-counts", 1);
        String dead = kafka.createUniqueTopic("words-dead", 1);
        kafka.produce(words, List.of(
                KafkaMessage.of(null, "the river and the stone"),
                KafkaMessage.of(null, "  The   light of the river "),
                KafkaMessage.ofBytes(null, new byte[] {'t', 'h', 'e', ' ', (byte) 0xFF}),
                KafkaMessage.of(null, "stone")));
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.wordcount.words-topic", words, "kindling.wordcount.counts-topic", counts,
                "kindling.wordcount.dead-letters-topic", dead, "kindling.wordcount.trigger", "500ms"));
        try (KindlingService service = WordCountApp.service(settings, kafka.bootstrapServers(), tmp).spark(spark).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/top?n=3").body())
                    .isEqualTo("[{\"word\":\"the\",\"count\":4},{\"word\":\"river\",\"count\":2},{\"word\":\"stone\",\"count\":2}]"));
            assertThat(http.get("/top").body()).isEqualTo("[{\"word\":\"the\",\"count\":4},{\"word\":\"river\",\"count\":2},"
                    + "{\"word\":\"stone\",\"count\":2},{\"word\":\"and\",\"count\":1},{\"word\":\"light\",\"count\":1},{\"word\":\"of\",\"count\":1}]");
            assertThat(http.get("/tables/word_counts?orderBy=word&limit=2").body())
                    .isEqualTo("[{\"word\":\"and\",\"count\":1},{\"word\":\"light\",\"count\":1}]");

            await().atMost(TIMEOUT).untilAsserted(() -> {
                Map<String, String> latest = new HashMap<>();
                kafka.consume(counts, 6, Duration.ofSeconds(5)).forEach(r -> latest.put(r.keyAsString(), r.valueAsString()));
                assertThat(latest).isEqualTo(Map.of(
                        "the", "{\"word\":\"the\",\"count\":4}", "river", "{\"word\":\"river\",\"count\":2}",
                        "stone", "{\"word\":\"stone\",\"count\":2}", "and", "{\"word\":\"and\",\"count\":1}",
                        "light", "{\"word\":\"light\",\"count\":1}", "of", "{\"word\":\"of\",\"count\":1}"));
            });
            List<KafkaRecord> letters = kafka.consume(dead, 1, TIMEOUT);
            assertThat(letters).extracting(r -> r.header("kindling.offset"), r -> r.header("kindling.error"))
                    .containsExactly(tuple("2", "value is not valid UTF-8"));
            assertThat(letters.get(0).value()).isEqualTo(new byte[] {'t', 'h', 'e', ' ', (byte) 0xFF});

            JsonNode status = http.get("/status").json();
            assertThat(status.get("service").asText()).isEqualTo("wordcount");
            assertThat(status.at("/components/word_counts/details/deadLetterCount").asLong()).isEqualTo(1);
            assertThat(status.at("/components/word_counts/details/tables/0/path").asText()).isEqualTo("/tables/word_counts");
            assertThat(status.at("/components/kappa/details/sink").asText()).isEqualTo("kafka://" + kafka.bootstrapServers() + "/" + counts);

            JsonHttp.Response page = http.get("/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Type")).isEqualTo("text/html;charset=utf-8");
            assertThat(page.body()).contains("<title>Kindling word count</title>").contains("fetch('top?n=10')");

            for (String bad : List.of("0", "101", "ten")) {
                JsonHttp.Response r = http.get("/top?n=" + bad);
                assertThat(r.status()).as(bad).isEqualTo(400);
                assertThat(r.json().get("detail").asText()).isEqualTo("'n' is '" + bad + "'; allowed: a whole number from 1 to 100");
            }
            assertThat(http.get("/readyz").status()).isEqualTo(200);
            service.shutdown();
            assertThat(service.overran()).isEmpty();
            assertThat(service.status().components().values()).extracting(c -> c.state())
                    .containsExactly(ComponentState.STOPPED, ComponentState.STOPPED);
        }
    }

    @Test
    void theProducerSendsTheGeneratedLines(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("produced", 1);
        try (PacedProducer producer = WordProducer.create(kafka.bootstrapServers(), topic, 1000, 7)) {
            assertThat(producer.run(30)).isEqualTo(30);
        }
        TextGenerator expected = new TextGenerator(7);
        assertThat(kafka.consume(topic, 30, TIMEOUT)).extracting(KafkaRecord::valueAsString)
                .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> expected.nextLine()).toList());
    }
}
