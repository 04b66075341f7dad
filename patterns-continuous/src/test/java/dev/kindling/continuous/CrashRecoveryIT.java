package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed between the sink's commit and the watermark's: the restart loses nothing and duplicates nothing. */
@KindlingSparkTest
@KindlingPostgresTest
class CrashRecoveryIT {
    @TempDir
    Path tmp;

    @Test
    void aCrashBetweenPublishAndCommitIsRepairedByTheSameBatchOnRestart(PostgresDatabase db, SparkSession spark) throws Exception {
        db.execute("CREATE TABLE crash_events (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        for (String w : List.of("a", "b", "c", "d", "e")) {
            db.update("INSERT INTO crash_events (word) VALUES (?)", w);
        }
        Path out = tmp.resolve("out");

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingRunnerMain.class.getName(),
                db.jdbcUrl(), db.user(), db.password(), out.toString()));
        Path log = tmp.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = child.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly();
        }
        String childLog = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("child ended; log:\n%s", childLog).isTrue();
        assertThat(child.exitValue()).as("child log:\n%s", childLog).isEqualTo(137);
        assertThat(childLog).contains("published batch 0; halting before the watermark commit");

        // The crash left the output of batch 0 but no committed watermark.
        assertThat(db.queryForList("SELECT batch_id FROM kindling_watermarks")).isEmpty();
        assertThat(words(spark, out)).containsExactly("0:1:a", "0:2:b", "0:3:c", "0:4:d", "0:5:e");

        // Rows arrive while the service is down; then it restarts.
        db.update("INSERT INTO crash_events (word) VALUES (?)", "f");
        db.update("INSERT INTO crash_events (word) VALUES (?)", "g");
        ContinuousRunner restarted = CrashingRunnerMain.runner(db.jdbcUrl(), db.user(), db.password(), out.toString()).build();
        try (KindlingService service = Fixtures.serve(spark, restarted)) {
            CycleReport repair = restarted.runOnce();
            assertThat(repair).extracting(CycleReport::batchId, CycleReport::outcome, CycleReport::rowsWritten)
                    .containsExactly(0L, CycleOutcome.PUBLISHED, 7L);
            assertThat(restarted.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);
            db.update("INSERT INTO crash_events (word) VALUES (?)", "h");
            assertThat(restarted.runOnce().batchId()).isEqualTo(1L);
        }

        assertThat(words(spark, out)).containsExactly("0:1:a", "0:2:b", "0:3:c", "0:4:d", "0:5:e", "0:6:f", "0:7:g", "1:8:h");
        assertThat(db.queryForList("SELECT batch_id, watermark FROM kindling_watermarks"))
                .containsExactly(java.util.Map.of("batch_id", 1L, "watermark", "LONG:8"));
        try (Stream<Path> entries = Files.list(out)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted())
                    .containsExactly("batch_id=0", "batch_id=1");
        }
    }

    /** Every published row as batch:id:word, sorted by id. */
    private static List<String> words(SparkSession spark, Path out) {
        return spark.read().schema("id BIGINT, word STRING, batch_id INT").json(out.toString()).orderBy("id").collectAsList().stream()
                .map((Row r) -> r.getInt(2) + ":" + r.getLong(0) + ":" + r.getString(1)).toList();
    }
}
