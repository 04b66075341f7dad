package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
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

    private ContinuousRunner runner(SparkSession spark, Path in, Path out, Path checkpoint) {
        Connectors c = Connectors.builtIn();
        Pipeline p = Pipeline.builder(PipelineKind.STREAMING).name("files")
                .source(c.source("file:" + in + "?format=json&schema=id INT, word STRING"))
                .process(Processor.sql("SELECT id, upper(word) AS word FROM input"))
                .sink(c.sink("file:" + out + "?format=parquet"))
                .build();
        return ContinuousRunner.builder(spark, p).checkpoint(checkpoint.toString()).interval(Duration.ofHours(1)).build();
    }

    @Test
    void eachFileIsPublishedOnceAcrossCyclesAndRestarts(SparkSession spark) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path out = tmp.resolve("out");
        Path cp = tmp.resolve("checkpoint");
        Files.writeString(in.resolve("1.json"), "{\"id\":1,\"word\":\"a\"}\n{\"id\":2,\"word\":\"b\"}\n");
        ContinuousRunner first = runner(spark, in, out, cp);
        assertThat(first.mode()).isEqualTo("available-now");
        CycleReport r1 = first.runOnce();
        assertThat(r1).extracting(CycleReport::outcome, CycleReport::rowsRead, CycleReport::error)
                .containsExactly(CycleOutcome.PUBLISHED, 2L, null);
        assertThat(first.runOnce()).extracting(CycleReport::outcome, CycleReport::rowsRead).containsExactly(CycleOutcome.IDLE, 0L);

        Files.writeString(in.resolve("2.json"), "{\"id\":3,\"word\":\"c\"}\n");
        ContinuousRunner restarted = runner(spark, in, out, cp);
        assertThat(restarted.runOnce()).extracting(CycleReport::outcome, CycleReport::rowsRead).containsExactly(CycleOutcome.PUBLISHED, 1L);
        assertThat(restarted.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);

        List<String> rows = spark.read().parquet(out.toString()).orderBy("id").collectAsList().stream()
                .map((Row r) -> r.getInt(0) + ":" + r.getString(1)).toList();
        assertThat(rows).containsExactly("1:A", "2:B", "3:C");
        assertThat(restarted.status()).extracting(RunnerStatus::cycles, RunnerStatus::rowsRead, RunnerStatus::committed)
                .containsExactly(2L, 1L, null);
    }
}
