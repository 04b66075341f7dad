package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.ReadmeCommand;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkClusterTest;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone command of the README, run from its text: the app jar under the real spark-submit, its driver in
 * the spark-submit JVM, its streaming tasks (the Kafka connector's reads and writes) in executors on a real standalone
 * cluster, against the testkit's real broker. The answers are {@link WordCountIT}'s on the embedded default.
 */
@KindlingSparkClusterTest
@KindlingKafkaTest
class WordCountOnTheClusterIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Test
    void countsTheSameOnTheCluster(SparkStandaloneCluster cluster, KafkaBroker kafka, @TempDir Path dir) throws Exception {
        String words = kafka.createUniqueTopic("words", 2);
        String counts = kafka.createUniqueTopic("word-counts", 1);
        String dead = kafka.createUniqueTopic("words-dead", 1);
        kafka.produce(words, List.of(
                KafkaMessage.of(null, "the river and the stone"),
                KafkaMessage.of(null, "  The   light of the river "),
                KafkaMessage.ofBytes(null, new byte[] {'t', 'h', 'e', ' ', (byte) 0xFF}),
                KafkaMessage.of(null, "stone")));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder b = ReadmeCommand.of("standalone").process(cluster, dir).redirectOutput(dir.resolve("readme.log").toFile());
        b.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "WORDCOUNT_WORDS_TOPIC", words,
                "WORDCOUNT_COUNTS_TOPIC", counts, "WORDCOUNT_DEAD_LETTERS_TOPIC", dead, "WORDCOUNT_TRIGGER", "1s",
                "WORDCOUNT_CHECKPOINT", dir.resolve("checkpoint").toString(), "PORT", Integer.toString(port),
                "KINDLING_HTTP_HOST", "127.0.0.1"));
        Process p = b.start();
        try {
            JsonHttp http = new JsonHttp(port, null);
            await().atMost(TIMEOUT).ignoreExceptionsMatching(e -> !(e instanceof AssertionError)).untilAsserted(() -> {
                assertThat(p.isAlive()).as(() -> log(dir)).isTrue();
                assertThat(http.get("/top").body()).isEqualTo("[{\"word\":\"the\",\"count\":4},{\"word\":\"river\",\"count\":2},"
                        + "{\"word\":\"stone\",\"count\":2},{\"word\":\"and\",\"count\":1},{\"word\":\"light\",\"count\":1},"
                        + "{\"word\":\"of\",\"count\":1}]");
            });
            await().atMost(TIMEOUT).untilAsserted(() -> {
                Map<String, String> latest = new HashMap<>();
                kafka.consume(counts, 6, Duration.ofSeconds(5)).forEach(r -> latest.put(r.keyAsString(), r.valueAsString()));
                assertThat(latest).isEqualTo(Map.of(
                        "the", "{\"word\":\"the\",\"count\":4}", "river", "{\"word\":\"river\",\"count\":2}",
                        "stone", "{\"word\":\"stone\",\"count\":2}", "and", "{\"word\":\"and\",\"count\":1}",
                        "light", "{\"word\":\"light\",\"count\":1}", "of", "{\"word\":\"of\",\"count\":1}"));
            });
            List<KafkaRecord> letters = kafka.consume(dead, 1, TIMEOUT);
            assertThat(letters).extracting(r -> r.header("kindling.error")).containsExactly("value is not valid UTF-8");
            assertThat(letters.get(0).value()).isEqualTo(new byte[] {'t', 'h', 'e', ' ', (byte) 0xFF});
        } finally {
            p.toHandle().destroy();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(() -> log(dir)).isTrue();
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("readme.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
