package dev.kindling.streaming.internal;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.ipp.TransientException;
import dev.kindling.testkit.KindlingSparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table's files after a crash at each point of a write: a delta half written, a snapshot written
 * whose deltas were not deleted yet. The reload reads each batch's rows exactly once. And a batch
 * does not wait for a compaction.
 */
@KindlingSparkTest
class TableStoreIT {
    private static final StructType WORDS = StructType.fromDDL("word STRING, n BIGINT");
    private static final Configuration CONF = new Configuration();

    private static Row row(String word, long n) {
        return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {word, n}, WORDS);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Row> restored(TableStore.Loaded loaded, int maxRows) {
        return List.copyOf(TableContents.restore(loaded.parts(), maxRows).rows());
    }

    @Test
    void aHalfWrittenDeltaIsIgnoredAndDeleted(SparkSession spark, @TempDir Path dir) throws IOException {
        TableStore store = new TableStore(dir.toString(), CONF);
        store.saveDelta(0, WORDS, List.of("word"), List.of(row("a", 1), row("b", 2)));
        store.saveDelta(1, WORDS, List.of("word"), List.of(row("a", 3)));
        // the JVM died while batch 2's delta was being written: a temporary file, cut in the middle of a row
        Files.writeString(dir.resolve("_tmp-delta-2.jsonl-12345"), WORDS.json() + "\n{\"kind\":\"upsert\",\"keys\":[\"word\"]}\n{\"word\":\"c\",\"n\":",
                StandardCharsets.UTF_8);

        TableStore.Loaded loaded = new TableStore(dir.toString(), CONF).load(spark).orElseThrow();

        assertThat(loaded.batchId()).isEqualTo(1);
        assertThat(restored(loaded, 10)).containsExactly(RowFactory.create("a", 3L), RowFactory.create("b", 2L));
        assertThat(names(dir)).containsExactly("delta-0.jsonl", "delta-1.jsonl");
    }

    @Test
    void aSnapshotWhoseDeltasWereNotDeletedYetAppliesThemOnce(SparkSession spark, @TempDir Path dir) throws IOException {
        TableStore store = new TableStore(dir.toString(), CONF);
        // a keyless table: a delta applied twice would show as rows twice
        store.saveDelta(0, WORDS, List.of(), List.of(row("a", 1), row("b", 2)));
        store.saveDelta(1, WORDS, List.of(), List.of(row("c", 3)));
        store.saveDelta(2, WORDS, List.of(), List.of(row("d", 4)));
        // a compaction of batch 1 renamed its snapshot into place, then the JVM died before deleting deltas 0 and 1;
        // a later compaction had begun its snapshot too
        Files.writeString(dir.resolve("_tmp-snapshot-2.jsonl-99"), WORDS.json() + "\n{\"word\":\"a\"", StandardCharsets.UTF_8);
        DurableFile.write(FileSystem.getLocal(CONF), new org.apache.hadoop.fs.Path(dir.toUri()), "snapshot-1.jsonl",
                List.of(WORDS.json(), row("a", 1).json(), row("b", 2).json(), row("c", 3).json()));

        TableStore.Loaded loaded = new TableStore(dir.toString(), CONF).load(spark).orElseThrow();

        assertThat(loaded.batchId()).isEqualTo(2);
        assertThat(loaded.deltas()).isEqualTo(1);
        assertThat(restored(loaded, 10)).containsExactly(RowFactory.create("a", 1L), RowFactory.create("b", 2L),
                RowFactory.create("c", 3L), RowFactory.create("d", 4L));

        // the next snapshot removes what it replaces, old deltas and snapshots alike
        store.saveSnapshot(2, WORDS, List.of(row("a", 1), row("b", 2), row("c", 3), row("d", 4)));
        assertThat(names(dir)).containsExactly("snapshot-2.jsonl");
        assertThat(restored(store.load(spark).orElseThrow(), 10)).containsExactly(RowFactory.create("a", 1L), RowFactory.create("b", 2L),
                RowFactory.create("c", 3L), RowFactory.create("d", 4L));
    }

    @Test
    void aKeylessReloadKeepsTheNewestRowsAsTheBatchesDid(SparkSession spark, @TempDir Path dir) {
        TableStore store = new TableStore(dir.toString(), CONF);
        store.saveSnapshot(0, WORDS, List.of(row("a", 1), row("b", 2)));
        store.saveDelta(1, WORDS, List.of(), List.of(row("c", 3), row("d", 4)));

        TableStore.Loaded loaded = store.load(spark).orElseThrow();

        assertThat(restored(loaded, 3)).containsExactly(RowFactory.create("b", 2L), RowFactory.create("c", 3L), RowFactory.create("d", 4L));
    }

    @Test
    void anEmptyFolderHasNoTable(SparkSession spark, @TempDir Path dir) {
        assertThat(new TableStore(dir.resolve("none").toString(), CONF).load(spark)).isEmpty();
    }

    /** Rows of a table being compacted: reading row 1 waits until the test lets it go, or fails. */
    private static final class HeldRows extends AbstractList<Row> {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Row> rows;
        final boolean fail;

        HeldRows(List<Row> rows, boolean fail) {
            this.rows = rows;
            this.fail = fail;
        }

        @Override
        public Row get(int index) {
            if (index == 1) {
                reached.countDown();
                if (fail) {
                    throw new IllegalStateException("the disk is gone");
                }
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return rows.get(index);
        }

        @Override
        public int size() {
            return rows.size();
        }
    }

    @Test
    void aBatchDoesNotWaitForACompaction(SparkSession spark, @TempDir Path dir) throws Exception {
        TableStore store = new TableStore(dir.toString(), CONF);
        TableCompactor compactor = new TableCompactor(store, "counts", 50, 0, 0);
        store.saveDelta(0, WORDS, List.of("word"), List.of(row("a", 1), row("b", 2)));
        HeldRows table = new HeldRows(List.of(row("a", 1), row("b", 2)), false);
        assertThat(compactor.afterDelta(0, WORDS, 2, table)).isTrue();
        assertThat(table.reached.await(1, TimeUnit.MINUTES)).isTrue();

        // the compaction is in the middle of its snapshot; the next batches write their deltas all the same
        store.saveDelta(1, WORDS, List.of("word"), List.of(row("a", 5)));
        assertThat(compactor.afterDelta(1, WORDS, 1, List.of(row("a", 5), row("b", 2)))).isFalse();
        assertThat(names(dir)).contains("delta-0.jsonl", "delta-1.jsonl").anyMatch(n -> n.startsWith("_tmp-snapshot-0.jsonl"));

        table.release.countDown();
        compactor.close();
        assertThat(names(dir)).containsExactly("delta-1.jsonl", "snapshot-0.jsonl");
        TableStore.Loaded loaded = store.load(spark).orElseThrow();
        assertThat(loaded.batchId()).isEqualTo(1);
        assertThat(restored(loaded, 10)).containsExactly(RowFactory.create("a", 5L), RowFactory.create("b", 2L));
    }

    @Test
    void aFailedCompactionFailsTheNextBatchAndLeavesTheDeltas(SparkSession spark, @TempDir Path dir) {
        TableStore store = new TableStore(dir.toString(), CONF);
        TableCompactor compactor = new TableCompactor(store, "counts", 50, 0, 0);
        store.saveDelta(0, WORDS, List.of("word"), List.of(row("a", 1), row("b", 2)));
        compactor.afterDelta(0, WORDS, 2, new HeldRows(List.of(row("a", 1), row("b", 2)), true));

        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThatThrownBy(compactor::throwIfFailed)
                .isInstanceOf(TransientException.class)
                .hasMessage("the compaction of table counts in " + dir + " failed: the disk is gone"));
        compactor.close();
        assertThat(restored(store.load(spark).orElseThrow(), 10)).containsExactly(RowFactory.create("a", 1L), RowFactory.create("b", 2L));
    }
}
