package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.ComponentState;
import dev.kindling.service.ComponentStatus;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The available-now mode: files read by Spark's own incremental file source, progress in the checkpoint. */
@KindlingSparkTest
class AvailableNowIT {
    @TempDir
    Path tmp;

    private ContinuousRunner runner(String sql, String outputMode, Path in, Path out, Path checkpoint) {
        Connectors c = Connectors.builtIn();
        Pipeline p = Pipeline.builder(PipelineKind.STREAMING).name("files")
                .source(c.source("file:" + in + "?format=json&schema=id INT, word STRING"))
                .process(Processor.sql(sql))
                .sink(c.sink("file:" + out + "?format=parquet"))
                .build();
        return ContinuousRunner.builder(p).checkpoint(checkpoint.toString()).outputMode(outputMode).interval(Duration.ofHours(1))
                .startPaused(true).build();
    }

    private ContinuousRunner upper(Path in, Path out, Path checkpoint) {
        return runner("SELECT id, upper(word) AS word FROM input", "append", in, out, checkpoint);
    }

    @Test
    void eachFileIsPublishedOnceAcrossCyclesAndRestarts(SparkSession spark) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path out = tmp.resolve("out");
        Path cp = tmp.resolve("checkpoint");
        Files.writeString(in.resolve("1.json"), "{\"id\":1,\"word\":\"a\"}\n{\"id\":2,\"word\":\"b\"}\n");
        ContinuousRunner first = upper(in, out, cp);
        assertThat(first.mode()).isEqualTo("available-now");
        try (KindlingService service = Fixtures.serve(spark, first)) {
            CycleReport r1 = first.runOnce();
            assertThat(r1).extracting(CycleReport::outcome, CycleReport::rowsRead, CycleReport::rowsWritten, CycleReport::deadLetters,
                    CycleReport::error).containsExactly(CycleOutcome.PUBLISHED, 2L, -1L, 0L, null);   // Spark's file sink does not count
            assertThat(first.runOnce()).extracting(CycleReport::outcome, CycleReport::rowsRead).containsExactly(CycleOutcome.IDLE, 0L);
        }

        Files.writeString(in.resolve("2.json"), "{\"id\":3,\"word\":\"c\"}\n");
        ContinuousRunner restarted = upper(in, out, cp);
        try (KindlingService service = Fixtures.serve(spark, restarted)) {
            assertThat(restarted.runOnce()).extracting(CycleReport::outcome, CycleReport::rowsRead).containsExactly(CycleOutcome.PUBLISHED, 1L);
            assertThat(restarted.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);
            assertThat(restarted.details()).extracting(ContinuousStatus::mode, ContinuousStatus::cycles, ContinuousStatus::rowsRead,
                    ContinuousStatus::committed).containsExactly("available-now", 2L, 1L, null);
        }
        List<String> rows = spark.read().parquet(out.toString()).orderBy("id").collectAsList().stream()
                .map((Row r) -> r.getInt(0) + ":" + r.getString(1)).toList();
        assertThat(rows).containsExactly("1:A", "2:B", "3:C");
    }

    @Test
    void anOutputModeThatDoesNotFitTheQueryFailsTheRunnerWithSparksReason(SparkSession spark) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.writeString(in.resolve("1.json"), "{\"id\":1,\"word\":\"a\"}\n");
        ContinuousRunner counts = runner("SELECT word, count(*) AS n FROM input GROUP BY word", "append", in, tmp.resolve("out"),
                tmp.resolve("checkpoint"));
        try (KindlingService service = Fixtures.serve(spark, counts)) {
            CycleReport r = counts.runOnce();
            assertThat(r.outcome()).isEqualTo(CycleOutcome.FAILED);
            assertThat(r.error()).startsWith("query 'files' cannot run in output mode 'append': ")
                    .endsWith("; use output mode update or complete (an aggregation needs complete or update)");
            ComponentStatus s = service.status().components().get("files");
            assertThat(s).extracting(ComponentStatus::state, x -> x.lastError().kind(), x -> x.lastError().message())
                    .containsExactly(ComponentState.FAILED, "CONFIGURATION", r.error());
        }
        assertThat(Files.exists(tmp.resolve("out"))).as("nothing was written").isFalse();
    }
}
