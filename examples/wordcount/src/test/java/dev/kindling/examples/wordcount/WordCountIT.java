package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.config.Settings;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
@KindlingKafkaTest
class WordCountIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void countsWordsIntoTheTopAndTheKappaTopicAndSendsBadLinesToDeadLetters(SparkSession spark, KafkaBroker kafka) throws Exception {
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
        WordCountApp app = WordCountApp.start(spark, settings, kafka.bootstrapServers(), tmp);
        try {
            int port = app.controlPlane().port();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(get(port, "/top?n=3").body())
                    .isEqualTo("[{\"word\":\"the\",\"count\":4},{\"word\":\"river\",\"count\":2},{\"word\":\"stone\",\"count\":2}]"));
            assertThat(JSON.readValue(get(port, "/top").body(), new TypeReference<List<Map<String, Object>>>() { })).containsExactly(
                    Map.of("word", "the", "count", 4), Map.of("word", "river", "count", 2), Map.of("word", "stone", "count", 2),
                    Map.of("word", "and", "count", 1), Map.of("word", "light", "count", 1), Map.of("word", "of", "count", 1));

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
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("2", "value is not valid UTF-8"));
            assertThat(letters.get(0).value()).isEqualTo(new byte[] {'t', 'h', 'e', ' ', (byte) 0xFF});

            HttpResponse<String> page = get(port, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
            assertThat(page.body()).contains("<title>Kindling word count</title>").contains("fetch('top?n=10')");

            for (String bad : List.of("0", "101", "ten")) {
                HttpResponse<String> r = get(port, "/top?n=" + bad);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(r.body()).contains(bad.equals("ten") ? "n must be a whole number from 1 to 100; got 'ten'" : "n must be from 1 to 100; got " + bad);
            }
            assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
        } finally {
            app.shutdown();
        }
    }

    @Test
    void theProducerSendsGeneratedLinesAtTheRate(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("produced", 1);
        long start = System.nanoTime();
        try (WordProducer producer = new WordProducer(kafka.bootstrapServers(), topic, 100, 7)) {
            assertThat(producer.run(30)).isEqualTo(30);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        TextGenerator expected = new TextGenerator(7);
        assertThat(kafka.consume(topic, 30, TIMEOUT)).extracting(KafkaRecord::valueAsString)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30).mapToObj(i -> expected.nextLine()).toList());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
