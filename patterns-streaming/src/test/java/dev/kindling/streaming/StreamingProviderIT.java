package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.service.Main;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration-only service, {@code dev.kindling.service.Main} with {@code KINDLING_PATTERN=streaming}, in a JVM of its own. */
@KindlingKafkaTest
class StreamingProviderIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String LISTENING = "listening on http://127\\.0\\.0\\.1:(\\d+)";

    @TempDir
    Path tmp;
    private ForkedJvm child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.close();
        }
    }

    private void main(Map<String, String> env) {
        child = ForkedJvm.builder(Main.class).spark().jvmOptions("-Xmx1g").env(env).start();
    }

    @Test
    void aKafkaToTableServiceFromSettingsAloneAnswersItsTableAndStatus(KafkaBroker kafka) throws Exception {
        String words = kafka.createUniqueTopic("config-words", 1);
        kafka.produce(words, List.of(KafkaMessage.of(null, "to be or not to be"), KafkaMessage.of(null, "be quick")));
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_HTTP_HOST", "127.0.0.1", "SPARK_MASTER", "local[2]",
                "KINDLING_SHUTDOWN_GRACE", "10s"));
        env.putAll(Map.of(
                "KINDLING_PATTERN", "streaming",
                "KINDLING_SERVICE_NAME", "words-from-config",
                "KINDLING_STREAMING_NAME", "counts",
                "KINDLING_STREAMING_SOURCE", "kafka://" + kafka.bootstrapServers() + "/" + words,
                "KINDLING_STREAMING_DECODE", "text",
                "KINDLING_STREAMING_SQL", StreamingRunnerIT.WORD_COUNT,
                "KINDLING_STREAMING_SINK", "table:counts?keys=word",
                "KINDLING_STREAMING_CHECKPOINT", tmp.resolve("checkpoint").toString(),
                "KINDLING_STREAMING_TRIGGER", "500ms",
                "PORT", "0"));
        main(env);
        JsonHttp http = new JsonHttp(Integer.parseInt(child.awaitLine(LISTENING, TIMEOUT).group(1)), null);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(StreamingRunnerIT.rows(http, "/tables/counts?orderBy=word"))
                .containsExactly(Map.of("word", "be", "count", 3), Map.of("word", "not", "count", 1), Map.of("word", "or", "count", 1),
                        Map.of("word", "quick", "count", 1), Map.of("word", "to", "count", 2)));
        JsonNode status = http.get("/status").json();
        assertThat(status.get("service").asText()).isEqualTo("words-from-config");
        JsonNode counts = status.at("/components/counts");
        assertThat(counts.get("pattern").asText()).isEqualTo("streaming");
        assertThat(counts.get("state").asText()).isEqualTo("RUNNING");
        assertThat(counts.at("/details/source").asText()).isEqualTo("kafka://" + kafka.bootstrapServers() + "/" + words);
        assertThat(counts.at("/details/sink").asText()).isEqualTo("table:counts");
        assertThat(counts.at("/details/trigger").asText()).isEqualTo("500ms");
        assertThat(http.get("/readyz").status()).isEqualTo(200);

        child.terminate();
        child.awaitExit(Duration.ofSeconds(60));
        assertThat(child.lines()).anyMatch(l -> l.contains("streaming runner 'counts' stopped"))
                .anyMatch(l -> l.contains("words-from-config shut down"))
                .noneMatch(l -> l.contains("overrun"));
    }

    @Test
    void missingSettingsExitTwoWithOneLineNamingEveryOne() throws Exception {
        main(Map.of("KINDLING_PATTERN", "streaming", "KINDLING_STREAMING_DECODE", "json"));
        assertThat(child.awaitExit(Duration.ofSeconds(60))).as(child.output()).isEqualTo(2);
        assertThat(child.lines().stream().filter(l -> l.contains("configuration error")).map(l -> l.substring(l.indexOf(' ') + 1)).toList())
                .containsExactly("ERROR Main: configuration error: required settings are missing: "
                        + "kindling.streaming.source (environment KINDLING_STREAMING_SOURCE), "
                        + "kindling.streaming.sink (environment KINDLING_STREAMING_SINK), "
                        + "kindling.streaming.schema (environment KINDLING_STREAMING_SCHEMA)");
    }
}
