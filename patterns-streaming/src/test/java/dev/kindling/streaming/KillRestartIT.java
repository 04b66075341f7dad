package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 in the middle of the stream, restart from the checkpoint: the queryable table and the
 * JDBC upsert sink end with exact counts (nothing lost, nothing counted twice). Then SIGTERM stops
 * the service gracefully.
 */
@KindlingKafkaTest
@KindlingPostgresTest
class KillRestartIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    @TempDir
    Path tmp;
    private Process child;

    @AfterEach
    void killChild() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
    }

    @Test
    void killedAndRestartedTheCountsAreNeitherLostNorDoubled(KafkaBroker kafka, PostgresDatabase db) throws Exception {
        db.execute("CREATE TABLE word_counts (word TEXT PRIMARY KEY, count BIGINT NOT NULL)");
        String topic = kafka.createUniqueTopic("restart-words", 1);
        List<KafkaMessage> first = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            first.add(KafkaMessage.of(null, "w" + (i % 5) + " all"));
        }
        kafka.produce(topic, first);

        child = launch(kafka, topic, db, 1);
        int port = awaitPort(1);
        // Kill it once each query has committed a micro-batch of 10 records, before all 3 are done.
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> lastBatch(port, "table") >= 0 && lastBatch(port, "jdbc") >= 0);
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<KafkaMessage> second = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            second.add(KafkaMessage.of(null, "w" + (i % 5) + " all late"));
        }
        kafka.produce(topic, second);

        child = launch(kafka, topic, db, 2);
        int port2 = awaitPort(2);
        Map<String, Long> expected = new TreeMap<>(Map.of("w0", 8L, "w1", 8L, "w2", 8L, "w3", 8L, "w4", 8L, "all", 40L, "late", 10L));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(table(port2)).isEqualTo(expected);
            assertThat(postgres(db)).isEqualTo(expected);
        });
        // SIGTERM: the service drains, the queries stop gracefully within the deadline, the JVM exits by itself.
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("child-2.log"))).contains("streaming runner 'table' stopped", "streaming runner 'jdbc' stopped",
                "restart-child shut down").doesNotContain("overrun");
    }

    private Process launch(KafkaBroker kafka, String topic, PostgresDatabase db, int run) throws Exception {
        child = RestartChildren.launch(tmp, run, kafka.bootstrapServers(), topic, tmp.resolve("checkpoint").toString(),
                tmp.resolve("port-" + run).toString(), "5s", db.jdbcUrl(), db.user(), db.password());
        return child;
    }

    private int awaitPort(int run) {
        return RestartChildren.awaitPort(child, tmp.resolve("port-" + run), RestartChildren.log(tmp, run), TIMEOUT);
    }

    private static long lastBatch(int port, String runner) {
        return new JsonHttp(port, null).get("/status").json().at("/components/" + runner + "/details/lastBatchId").asLong(-1);
    }

    private static Map<String, Long> table(int port) {
        Map<String, Long> out = new TreeMap<>();
        new JsonHttp(port, null).get("/tables/counts?limit=100").json()
                .forEach(n -> out.put(n.get("word").asText(), n.get("count").asLong()));
        return out;
    }

    private static Map<String, Long> postgres(PostgresDatabase db) {
        Map<String, Long> out = new TreeMap<>();
        db.queryForList("SELECT word, count FROM word_counts").forEach(m -> out.put((String) m.get("word"), ((Number) m.get("count")).longValue()));
        return out;
    }
}
