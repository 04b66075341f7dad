package dev.kindling.streaming.internal;

import dev.kindling.ipp.TransientException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds a table's deltas into a snapshot now and then, on a thread of its own, so that a micro-batch
 * never waits for it. After each delta the writer calls {@link #afterDelta}; a compaction starts when
 * the deltas since the last snapshot number {@code afterDeltas} (default {@value #DEFAULT_AFTER_DELTAS}),
 * or hold as many rows as the table (then a restart would read more delta rows than table rows), and
 * none is running. It writes the table as of the batch it was started after, an immutable version,
 * while later batches go on; then deletes the deltas and snapshots the new snapshot replaces.
 *
 * <pre>{@code
 * TableCompactor compactor = new TableCompactor(store, "counts", TableCompactor.DEFAULT_AFTER_DELTAS, 0, 0);
 * store.saveDelta(batchId, schema, keys, changedRows);
 * compactor.afterDelta(batchId, schema, changedRows.size(), tableAsOfBatch);   // returns at once
 * }</pre>
 *
 * <p>Threads: {@link #afterDelta}, {@link #snapshotWritten} and {@link #close} are called by the
 * table's writer, one at a time. A compaction that failed fails the next batch, through
 * {@link #throwIfFailed}, with a {@link TransientException}: the runner restarts the query, which loads
 * the table from the files that are there (the deltas are still there) and starts afresh.
 * {@link #close} waits for a running compaction.
 */
public final class TableCompactor implements AutoCloseable {
    /** Deltas after which a compaction starts, whatever their size. */
    public static final int DEFAULT_AFTER_DELTAS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(TableCompactor.class);

    private final TableStore store;
    private final String table;
    private final int afterDeltas;
    private final ExecutorService executor;
    private int deltas;
    private long deltaRows;
    private Future<?> running;
    private volatile Throwable failure;

    /**
     * @param deltas    deltas already written after the newest snapshot (as loaded)
     * @param deltaRows the rows in them
     */
    public TableCompactor(TableStore store, String table, int afterDeltas, int deltas, long deltaRows) {
        if (afterDeltas < 1) {
            throw new IllegalArgumentException("afterDeltas must be at least 1; got " + afterDeltas);
        }
        this.store = store;
        this.table = table;
        this.afterDeltas = afterDeltas;
        this.deltas = deltas;
        this.deltaRows = deltaRows;
        // one thread at most, gone after a minute without work: an idle table holds no thread
        this.executor = new ThreadPoolExecutor(0, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "kindling-table-compactor-" + table);
            t.setDaemon(true);
            return t;
        });
    }

    /** Throws the failure of the last compaction, if it failed. */
    public void throwIfFailed() {
        Throwable f = failure;
        if (f != null) {
            throw new TransientException("the compaction of table " + table + " in " + store.location() + " failed: " + f.getMessage(), f);
        }
    }

    /**
     * Counts a delta of {@code rows} rows of batch {@code batchId} and starts a compaction of
     * {@code tableAsOfBatch} (which must never change) if one is due. Returns at once.
     *
     * @return whether a compaction started
     */
    public boolean afterDelta(long batchId, StructType schema, int rows, List<Row> tableAsOfBatch) {
        deltas++;
        deltaRows += rows;
        boolean due = deltas >= afterDeltas || deltaRows >= Math.max(1, tableAsOfBatch.size());
        if (!due || (running != null && !running.isDone())) {
            return false;
        }
        deltas = 0;
        deltaRows = 0;
        running = executor.submit(() -> compact(batchId, schema, tableAsOfBatch));
        return true;
    }

    /** A complete-mode batch wrote a whole snapshot: nothing is left to compact. */
    public void snapshotWritten() {
        deltas = 0;
        deltaRows = 0;
    }

    private void compact(long batchId, StructType schema, List<Row> rows) {
        try {
            long start = System.nanoTime();
            store.saveSnapshot(batchId, schema, rows);
            LOG.debug("table {}: deltas up to batch {} compacted into a snapshot of {} row(s) in {} ms", table, batchId, rows.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }

    /** Waits for a running compaction to end (a failure of it is kept for {@link #throwIfFailed}), then stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new TransientException("the compaction of table " + table + " did not end in 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException("interrupted while waiting for the compaction of table " + table, e);
        }
    }
}
