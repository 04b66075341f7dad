package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.awaitility.Awaitility.await;

import dev.kindling.ipp.KindlingException;
import dev.kindling.testkit.KindlingSparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.stream.Stream;

/**
 * The table on real Spark batches: keyless eviction, the size check before collecting, sorted reads per
 * batch, and its files: a delta per batch, compacted into snapshots in the background, read back in
 * order on a restart.
 */
@KindlingSparkTest
class QueryableTableIT {
    private static final StructType WORDS = StructType.fromDDL("word STRING, n BIGINT");

    private static Dataset<Row> batch(SparkSession spark, Object... wordAndCount) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < wordAndCount.length; i += 2) {
            rows.add(RowFactory.create(wordAndCount[i], ((Number) wordAndCount[i + 1]).longValue()));
        }
        return spark.createDataFrame(rows, WORDS).coalesce(1);
    }

    private static List<String> words(QueryableTable t) {
        return t.rows().stream().map(r -> r.getString(0)).toList();
    }

    @Test
    void aKeylessTableKeepsTheNewestRowsAndCountsWhatItEvicts(SparkSession spark, @TempDir Path checkpoint) {
        QueryableTable t = new QueryableTable("events", List.of(), 3);
        t.prepare(spark, WORDS, "append", checkpoint.toString());
        t.apply(batch(spark, "a", 1, "b", 2), 0);
        t.apply(batch(spark, "c", 3, "d", 4), 1);
        assertThat(words(t)).containsExactly("b", "c", "d");
        assertThat(t.evictedRows()).isEqualTo(1);

        // a batch bigger than the table: only its newest rows stay, and no batch ever fails for size
        t.apply(batch(spark, "e", 5, "f", 6, "g", 7, "h", 8, "i", 9), 2);
        assertThat(words(t)).hasSize(3);
        assertThat(t.evictedRows()).isEqualTo(1 + 3 + 2);
        assertThat(t.lastBatchId()).isEqualTo(2);

        QueryableTable restored = new QueryableTable("events", List.of(), 3);
        restored.prepare(spark, WORDS, "append", checkpoint.toString());
        assertThat(words(restored)).isEqualTo(words(t));
    }

    @Test
    void aKeyedTableRefusesABatchThatDoesNotFitAndNamesTheOption(SparkSession spark, @TempDir Path checkpoint) {
        QueryableTable t = new QueryableTable("counts", List.of("word"), 2);
        t.prepare(spark, WORDS, "update", checkpoint.toString());
        t.apply(batch(spark, "a", 1, "b", 2), 0);
        assertThatThrownBy(() -> t.apply(batch(spark, "c", 1, "d", 1, "e", 1), 1))
                .isInstanceOf(KindlingException.class)
                .hasMessage("table counts would hold more than 2 changed rows after batch 1; its limit is 2: aggregate more, "
                        + "or raise it with the option maxRows (table:counts?maxRows=N)");
        assertThatThrownBy(() -> t.apply(batch(spark, "c", 1), 1))
                .hasMessage("table counts would hold 3 rows after batch 1; its limit is 2: aggregate more, "
                        + "or raise it with the option maxRows (table:counts?maxRows=N)");
        assertThat(words(t)).containsExactly("a", "b");
        assertThat(t.lastBatchId()).isZero();
        // updates of known keys still fit
        t.apply(batch(spark, "a", 10), 1);
        assertThat(t.query(new TableQuery(Optional.of("n"), true, 10))).containsExactly(
                Map.of("word", "a", "n", 10L), Map.of("word", "b", "n", 2L));
    }

    @Test
    void sortedReadsFollowEachBatch(SparkSession spark, @TempDir Path checkpoint) {
        QueryableTable t = new QueryableTable("top", List.of("word"), 100);
        t.prepare(spark, WORDS, "update", checkpoint.toString());
        t.apply(batch(spark, "a", 5, "b", 9, "c", 1), 0);
        TableQuery top2 = new TableQuery(Optional.of("n"), true, 2);
        assertThat(t.query(top2)).containsExactly(Map.of("word", "b", "n", 9L), Map.of("word", "a", "n", 5L));
        assertThat(t.query(new TableQuery(Optional.of("n"), false, 1))).containsExactly(Map.of("word", "c", "n", 1L));
        t.apply(batch(spark, "c", 20), 1);
        assertThat(t.query(top2)).containsExactly(Map.of("word", "c", "n", 20L), Map.of("word", "b", "n", 9L));
    }

    private static List<String> files(Path checkpoint, String table) throws IOException {
        try (Stream<Path> files = Files.list(checkpoint.resolve("table-" + table))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aBatchWritesOnlyTheRowsItChanged(SparkSession spark, @TempDir Path checkpoint) throws IOException {
        QueryableTable t = new QueryableTable("counts", List.of("word"), 100);
        t.prepare(spark, WORDS, "update", checkpoint.toString());
        t.apply(batch(spark, "a", 1, "b", 2, "c", 3, "d", 4), 0);
        t.apply(batch(spark, "b", 20, "e", 5), 1);

        assertThat(words(t)).containsExactly("a", "b", "c", "d", "e");
        assertThat(t.query(new TableQuery(Optional.empty(), false, 10)).get(1)).isEqualTo(Map.of("word", "b", "n", 20L));
        assertThat(Files.readAllLines(checkpoint.resolve("table-counts/delta-1.jsonl"), StandardCharsets.UTF_8)).containsExactly(
                WORDS.json(), "{\"kind\":\"upsert\",\"keys\":[\"word\"]}", "{\"word\":\"b\",\"n\":20}", "{\"word\":\"e\",\"n\":5}");
    }

    @Test
    void aRestartReadsTheSnapshotAndTheDeltasAfterItAndSkipsReappliedBatches(SparkSession spark, @TempDir Path checkpoint) throws IOException {
        QueryableTable t = new QueryableTable("counts", List.of("word"), 100);
        t.prepare(spark, WORDS, "update", checkpoint.toString());
        t.apply(batch(spark, "a", 1, "b", 1, "c", 1), 0);
        for (int b = 1; b <= 5; b++) {
            t.apply(batch(spark, "a", b + 1, "x" + b, b), b);
        }
        // the first batch held as many rows as the table: a compaction started after it
        await().atMost(Duration.ofMinutes(1)).until(() -> files(checkpoint, "counts").stream().anyMatch(f -> f.startsWith("snapshot-")));
        // the JVM dies while writing batch 6's delta
        Files.writeString(checkpoint.resolve("table-counts/_tmp-delta-6.jsonl-1"), WORDS.json() + "\n{\"kind\":\"ups");

        QueryableTable restored = new QueryableTable("counts", List.of("word"), 100);
        restored.prepare(spark, WORDS, "update", checkpoint.toString());

        assertThat(restored.lastBatchId()).isEqualTo(5);
        assertThat(restored.rows()).containsExactlyElementsOf(t.rows());
        assertThat(words(restored)).containsExactly("a", "b", "c", "x1", "x2", "x3", "x4", "x5");
        assertThat(files(checkpoint, "counts")).noneMatch(f -> f.startsWith("_tmp-"));
        // Spark runs batch 5 again after the crash: it is in the files already, so it is skipped
        restored.apply(batch(spark, "a", 100), 5);
        assertThat(restored.rows()).containsExactlyElementsOf(t.rows());
        restored.apply(batch(spark, "a", 100), 6);
        assertThat(restored.query(new TableQuery(Optional.of("n"), true, 1))).containsExactly(Map.of("word", "a", "n", 100L));
    }

    @Test
    void aCompleteModeBatchWritesTheWholeTableAsASnapshot(SparkSession spark, @TempDir Path checkpoint) throws IOException {
        QueryableTable t = new QueryableTable("totals", List.of(), 10);
        t.prepare(spark, WORDS, "complete", checkpoint.toString());
        t.apply(batch(spark, "a", 1, "b", 2), 0);
        t.apply(batch(spark, "a", 3), 1);

        assertThat(files(checkpoint, "totals")).containsExactly("snapshot-1.jsonl");
        QueryableTable restored = new QueryableTable("totals", List.of(), 10);
        restored.prepare(spark, WORDS, "complete", checkpoint.toString());
        assertThat(restored.rows()).containsExactly(RowFactory.create("a", 3L));
        assertThat(restored.lastBatchId()).isEqualTo(1);
    }
}
