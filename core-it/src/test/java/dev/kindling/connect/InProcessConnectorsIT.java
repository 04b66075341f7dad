package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** range, memory and console connectors, and the SQL processor on batch and streaming input. */
@KindlingSparkTest
class InProcessConnectorsIT {
    private final Connectors connectors = Connectors.builtIn();

    private static List<String> sorted(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(Row::toString).sorted().toList();
    }

    @Test
    void rangeReadsTheHalfOpenInterval(SparkSession spark) {
        Dataset<Row> ds = ((BatchReadable) connectors.source("range:3..6?partitions=2")).read(spark);
        assertThat(ds.columns()).containsExactly("id");
        assertThat(ds.rdd().getNumPartitions()).isEqualTo(2);
        assertThat(sorted(ds)).containsExactly("[3]", "[4]", "[5]");
    }

    @Test
    void batchPipelineThroughTheMemoryTable(SparkSession spark) {
        Pipeline p = Pipeline.builder(PipelineKind.BATCH).name("evens")
                .source(connectors.source("range:10"))
                .process(Processor.filter("id % 2 = 0"))
                .process(Processor.sql("SELECT id * 10 AS tens FROM input"))
                .sink(connectors.sink("memory:evens_table"))
                .build();
        assertThat(p.runBatch(spark, 0)).isEqualTo(new WriteResult(0, 5));
        assertThat(p.runBatch(spark, 1)).isEqualTo(new WriteResult(1, 5));
        assertThat(((BatchReadable) connectors.source("memory:evens_table")).read(spark).count()).isEqualTo(10);
        ((BatchWritable) connectors.sink("memory:evens_table?mode=overwrite")).write(spark.range(2).toDF("tens"), 2);
        assertThat(sorted(spark.table("evens_table"))).containsExactly("[0]", "[1]");
    }

    @Test
    void memoryTableThatDoesNotExistIsAClearError(SparkSession spark) {
        assertThatThrownBy(() -> ((BatchReadable) connectors.source("memory:nothing_here")).read(spark))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("does not exist yet");
    }

    @Test
    void streamingSqlIntoAQueryableMemoryTable(SparkSession spark, @TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("1.txt"), "a b a\nc a\n");
        Dataset<Row> lines = ((StreamReadable) connectors.source("file:" + in + "?format=text")).readStream(spark);
        Dataset<Row> counts = Processor.sql("SELECT word, count(*) AS n FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word")
                .process(lines);
        assertThat(counts.isStreaming()).isTrue();
        StreamingQuery q = ((StreamWritable) connectors.sink("memory:word_counts")).writeStream(counts).outputMode("complete").start();
        try {
            q.processAllAvailable();
            assertThat(sorted(((BatchReadable) connectors.source("memory:word_counts")).read(spark))).containsExactly("[a,3]", "[b,1]", "[c,1]");
        } finally {
            q.stop();
        }
    }

    @Test
    void sqlProcessorErrorsNameTheQuery(SparkSession spark) {
        assertThatThrownBy(() -> Processor.sql("SELECT nope FROM input").process(spark.range(3).toDF()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SELECT nope FROM input").hasMessageContaining("nope");
        assertThat(spark.catalog().tableExists("input")).isFalse();
    }

    @Test
    void consoleShowsAtMostItsRowBound(SparkSession spark) {
        WriteResult r = ((BatchWritable) connectors.sink("console:?rows=2")).write(spark.range(5).toDF(), 4);
        assertThat(r).isEqualTo(new WriteResult(4, 2));
    }

    @Test
    void emptyBatchesAreCountedAsZero(SparkSession spark, @TempDir Path dir) {
        WriteResult r = ((BatchWritable) connectors.sink("file:" + dir.resolve("empty") + "?format=parquet"))
                .write(spark.range(0).toDF(), 9);
        assertThat(r).isEqualTo(new WriteResult(9, 0));
    }
}
