package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.io.File;
import java.lang.management.ManagementFactory;
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
        // SIGTERM: the control plane drains, the queries stop gracefully, the JVM exits by itself.
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("child-2.log"))).contains("child stopped gracefully");
    }

    private Process launch(KafkaBroker kafka, String topic, PostgresDatabase db, int run) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(RestartChild.class.getName());
        cmd.addAll(List.of(kafka.bootstrapServers(), topic, tmp.resolve("checkpoint").toString(), db.jdbcUrl(), db.user(), db.password(),
                tmp.resolve("port-" + run).toString()));
        File log = tmp.resolve("child-" + run + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    private int awaitPort(int run) {
        Path file = tmp.resolve("port-" + run);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.isAlive()) {
                throw new AssertionError("the child JVM exited: " + Files.readString(tmp.resolve("child-" + run + ".log")));
            }
            return Files.exists(file);
        });
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long lastBatch(int port, String runner) {
        return Http.rows(port, "/status").stream().filter(m -> runner.equals(m.get("name")))
                .mapToLong(m -> ((Number) m.get("lastBatchId")).longValue()).findFirst().orElse(-1);
    }

    private static Map<String, Long> table(int port) {
        Map<String, Long> out = new TreeMap<>();
        Http.rows(port, "/tables/counts?limit=100").forEach(m -> out.put((String) m.get("word"), ((Number) m.get("count")).longValue()));
        return out;
    }

    private static Map<String, Long> postgres(PostgresDatabase db) {
        Map<String, Long> out = new TreeMap<>();
        db.queryForList("SELECT word, count FROM word_counts").forEach(m -> out.put((String) m.get("word"), ((Number) m.get("count")).longValue()));
        return out;
    }
}
