package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The word count while its Kafka broker is stopped and started again under the running service, on a
 * broker of the test's own (the testkit's shared one must stay up for other tests).
 *
 * <p>While the broker is away, {@code /readyz} turns 503 within 10 s and names the brokers: the
 * service's readiness check asks them, since the streaming queries alone keep running while Spark's
 * Kafka source waits. <b>Table reads keep answering 200</b> with the counts of the last micro-batch:
 * the queryable table lives in the service's memory (its snapshot beside the checkpoint), so reading it
 * needs no broker, and a stale but exact count is more useful than a 503; readiness is what tells a
 * load balancer that the counts do not move. Liveness stays up, so an orchestrator waits instead of
 * restarting the service.
 *
 * <p>After the restart (same port, same topics and records), readiness returns by itself and lines
 * produced after the outage are counted on top of the ones before: the whole table equals the counts
 * of every line sent, nothing lost and nothing doubled, and the kappa topic's latest update of every
 * word says the same.
 */
@KindlingSparkTest
class BrokerOutageIT {
    private static final Duration READINESS_BOUND = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final List<String> BEFORE = List.of("the river and the stone", "  The   light of the river ", "stone",
            "a river of light", "the end");
    private static final List<String> AFTER = List.of("the stone after the outage", "light returns to the river",
            "nothing lost", "nothing doubled", "The End");

    @TempDir
    Path tmp;

    @Test
    void readinessTurns503WhileTheBrokerIsAwayTheTableStillAnswersAndTheCountsStayExact(SparkSession spark) {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("words", 2);
            kafka.createTopic("word-counts", 1);
            kafka.createTopic("words-dead-letters", 1);
            kafka.produce("words", BEFORE.stream().map(line -> KafkaMessage.of(null, line)).toList());
            Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                    "kindling.wordcount.trigger", "500ms"));
            try (KindlingService service = WordCountApp.service(settings, kafka.bootstrapServers(), tmp).spark(spark).start()) {
                JsonHttp http = new JsonHttp(service.port(), null);
                Map<String, Long> before = counts(BEFORE);
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(table(http)).isEqualTo(before));
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                String top = http.get("/top?n=3").body();
                assertThat(top).isEqualTo("[{\"word\":\"the\",\"count\":5},{\"word\":\"river\",\"count\":3},{\"word\":\"light\",\"count\":2}]");

                long stoppedAt = System.nanoTime();
                kafka.stop();
                await().atMost(READINESS_BOUND).pollInterval(Duration.ofMillis(200))
                        .until(() -> http.get("/readyz").status() == 503);
                Duration notReadyAfter = Duration.ofNanos(System.nanoTime() - stoppedAt);
                assertThat(notReadyAfter).as("from the stop to /readyz 503").isLessThanOrEqualTo(READINESS_BOUND);
                JsonNode readyz = http.get("/readyz").json();
                assertThat(readyz.get("status").asText()).isEqualTo("not ready");
                assertThat(readyz.get("checks").get("kafka " + kafka.bootstrapServers()).asText())
                        .startsWith("not ready: the Kafka brokers at " + kafka.bootstrapServers() + " do not answer: ");
                assertThat(http.get("/healthz").status()).as("liveness is not about dependencies").isEqualTo(200);
                JsonHttp.Response stale = http.get("/top?n=3");
                assertThat(stale.status()).as("the table is local: it answers without the broker").isEqualTo(200);
                assertThat(stale.body()).isEqualTo(top);
                assertThat(table(http)).isEqualTo(before);

                kafka.restart();
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status())
                        .as("%s", http.get("/readyz").body()).isEqualTo(200));
                kafka.produce("words", AFTER.stream().map(line -> KafkaMessage.of(null, line)).toList());
                Map<String, Long> all = counts(AFTER, before);
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(table(http)).isEqualTo(all));
                assertThat(kafka.latestOffsets("words").values().stream().mapToLong(Long::longValue).sum())
                        .as("every line was sent once").isEqualTo(BEFORE.size() + AFTER.size());
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    Map<String, Long> latest = new TreeMap<>();
                    kafka.consume("word-counts", all.size(), Duration.ofSeconds(10))
                            .forEach(r -> latest.put(r.keyAsString(), json(r.valueAsString()).get("count").asLong()));
                    assertThat(latest).isEqualTo(all);
                });
                assertThat(http.get("/readyz").status()).isEqualTo(200);
                service.shutdown();
                assertThat(service.overran()).isEmpty();
            }
        }
    }

    /** The whole table, word to count. */
    private static Map<String, Long> table(JsonHttp http) {
        JsonHttp.Response r = http.get("/tables/word_counts?orderBy=word&limit=1000");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, Long> out = new TreeMap<>();
        r.json().forEach(row -> out.put(row.get("word").asText(), row.get("count").asLong()));
        return out;
    }

    /** What the word count must say of {@code lines}, added to {@code base}. */
    private static Map<String, Long> counts(List<String> lines, Map<String, Long> base) {
        Map<String, Long> out = new TreeMap<>(base);
        counts(lines).forEach((word, n) -> out.merge(word, n, Long::sum));
        return out;
    }

    private static Map<String, Long> counts(List<String> lines) {
        Map<String, Long> out = new HashMap<>();
        for (String line : lines) {
            for (String word : line.trim().toLowerCase(Locale.ROOT).split("\\s+")) {
                if (!word.isEmpty()) {
                    out.merge(word, 1L, Long::sum);
                }
            }
        }
        return new TreeMap<>(out);
    }

    private static JsonNode json(String text) {
        try {
            return dev.kindling.service.Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
