package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.crash.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM halted at a named point — both sinks wrote micro-batch 2, neither query committed it — and
 * restarted in a new JVM from the same checkpoints: the keyless queryable table and the append-only
 * file sink, which would show any record written twice, end with every record exactly once. The
 * table comes back from its snapshot of batch 2 and skips the batch Spark runs again; the batch ids
 * go on from 2; the restart reads from the checkpointed offsets, not from the start of the topic.
 */
@KindlingKafkaTest
class CrashAtNamedPointsIT {
    private static final Duration START = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROGRESS = Pattern.compile("progress (\\w+) batch (\\d+) from (\\S+) to (\\S+) rows (\\d+)");

    @TempDir
    Path tmp;

    @Test
    void haltedAfterTheSinkWriteAndBeforeTheCommitTheRestartNeitherLosesNorRepeats(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("crash-words", 1);
        kafka.produce(topic, records(0, 40));
        Path checkpoint = tmp.resolve("checkpoint");
        Path out = tmp.resolve("out");

        // Run 1: batches 0 and 1 are committed; batch 2 (offsets 20..29) is written by both sinks, then the JVM halts.
        try (ForkedJvm first = child(kafka, topic, checkpoint, out).jvmOptions(CrashPoints.haltBeforeCommit(2, 2)).start()) {
            assertThat(first.awaitExit(START)).as(first.output()).isEqualTo(CrashPoints.EXIT_CODE);
            assertThat(first.output()).contains("halting before the commit of batch 2; queries there: 2");
        }
        for (String q : List.of("table", "files")) {
            assertThat(names(checkpoint.resolve(q + "/query/commits"))).as(q + " commits").containsExactly("0", "1");
            assertThat(names(checkpoint.resolve(q + "/query/offsets"))).as(q + " offsets").containsExactly("0", "1", "2");
        }
        // the table wrote batch 2 (as its delta, or folded into a snapshot by a compaction) and nothing after it
        assertThat(names(checkpoint.resolve("table/table-lines"))).anyMatch(n -> n.equals("delta-2.jsonl") || n.equals("snapshot-2.jsonl"))
                .doesNotContain("delta-3.jsonl", "snapshot-3.jsonl");
        assertThat(fileRows(out)).containsExactlyInAnyOrderElementsOf(expected(0, 30));

        // Records arrive while the service is down; a new JVM restarts from the same checkpoints.
        kafka.produce(topic, records(40, 50));
        try (ForkedJvm second = child(kafka, topic, checkpoint, out).start()) {
            int port = Integer.parseInt(second.awaitLine("child ready on port (\\d+)", START).group(1));
            await().atMost(START).untilAsserted(() -> {
                assertThat(batches(second, "table")).as("%s", second.output()).contains(4L);
                assertThat(batches(second, "files")).as("%s", second.output()).contains(4L);
            });
            List<String> table = tableRows(port);
            assertThat(table).hasSize(50).containsExactlyInAnyOrderElementsOf(expected(0, 50));
            assertThat(table.stream().filter(r -> r.endsWith(":w0"))).as("the count of w0").hasSize(10);
            assertThat(fileRows(out)).hasSize(50).containsExactlyInAnyOrderElementsOf(expected(0, 50));

            // The restart ran batch 2 again from its planned offsets (20..30), not batch 0 from the start of the topic;
            // both sinks had it already, so neither read a row of it.
            for (String q : List.of("table", "files")) {
                assertThat(batches(second, q)).as(q + " batches after the restart").containsExactly(2L, 3L, 4L);
                Matcher firstBatch = progress(second, q).get(0);
                assertThat(offset(firstBatch.group(3), topic)).as(q + " start offset").isEqualTo(20L);
                assertThat(offset(firstBatch.group(4), topic)).as(q + " end offset").isEqualTo(30L);
                assertThat(firstBatch.group(5)).as(q + " rows the sink read of the batch it had").isEqualTo("0");
                assertThat(names(checkpoint.resolve(q + "/query/commits"))).as(q + " commits").containsExactly("0", "1", "2", "3", "4");
            }
            assertThat(second.output()).contains("table lines: 30 row(s) restored from the snapshot of batch 2",
                    "table lines: batch 2 was already applied (snapshot of batch 2); skipped");
            JsonNode status = new JsonHttp(port, null).get("/status").json();
            assertThat(status.at("/components/table/details/tables/0/lastBatchId").asLong()).isEqualTo(4L);
            assertThat(status.at("/components/table/details/tables/0/rows").asLong()).isEqualTo(50L);

            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(90))).as(second.output()).isEqualTo(143);
        }
    }

    private ForkedJvm.Builder child(KafkaBroker kafka, String topic, Path checkpoint, Path out) {
        return ForkedJvm.builder(CrashingStreamMain.class).spark().jvmOptions("-Xmx1g")
                .args(kafka.bootstrapServers(), topic, checkpoint.toString(), out.toString());
    }

    /** Records {@code from} (inclusive) to {@code to} (exclusive): the words w0..w4 in turn. */
    private static List<KafkaMessage> records(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> KafkaMessage.of(null, "w" + (i % 5))).toList();
    }

    /** The rows of offsets {@code from} to {@code to} (exclusive) as offset:word. */
    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> i + ":w" + (i % 5)).toList();
    }

    private static List<Matcher> progress(ForkedJvm jvm, String query) {
        List<Matcher> out = new ArrayList<>();
        for (String line : jvm.lines()) {
            Matcher m = PROGRESS.matcher(line);
            if (m.find() && m.group(1).equals(query)) {
                out.add(m);
            }
        }
        return out;
    }

    private static List<Long> batches(ForkedJvm jvm, String query) {
        return progress(jvm, query).stream().map(m -> Long.parseLong(m.group(2))).toList();
    }

    private static long offset(String json, String topic) throws IOException {
        return JSON.readTree(json).get(topic).get("0").asLong();
    }

    private static List<String> tableRows(int port) {
        List<String> rows = new ArrayList<>();
        new JsonHttp(port, null).get("/tables/lines?limit=1000").json()
                .forEach(n -> rows.add(n.get("offset").asLong() + ":" + n.get("word").asText()));
        return rows;
    }

    /** Every row of every data file in {@code dir} (whether or not the sink's log lists it), as offset:word. */
    private static List<String> fileRows(Path dir) throws IOException {
        List<String> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    JsonNode n = JSON.readTree(line);
                    rows.add(n.get("offset").asLong() + ":" + n.get("word").asText());
                }
            }
        }
        return rows;
    }

    /** The file names in {@code dir} without hidden files, sorted. */
    private static List<String> names(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
