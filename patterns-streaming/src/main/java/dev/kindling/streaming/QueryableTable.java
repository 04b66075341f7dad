package dev.kindling.streaming;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.streaming.internal.TableCompactor;
import dev.kindling.streaming.internal.TableContents;
import dev.kindling.streaming.internal.TableStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming query's result, kept as a small table in the driver and served over HTTP by the
 * {@link StreamingRunner} that writes it: {@code GET /tables/NAME?orderBy=COL&desc=true&limit=N}.
 *
 * <pre>{@code
 * QueryableTable counts = QueryableTable.keyedBy("word_counts", "word");     // or connectors.sink("table:word_counts?keys=word")
 * Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name("wordcount")
 *         .source(kafka).decoder(RecordDecoder.text())
 *         .process(Processor.sql("SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word"))
 *         .sink(counts)
 *         .build();
 * KindlingService.builder("wordcount")
 *         .component(StreamingRunner.builder(pipeline).checkpoint("/var/lib/wordcount/checkpoint").build())
 *         .start();
 * List<Map<String, Object>> top = counts.query(new TableQuery(Optional.of("count"), true, 10));
 * }</pre>
 *
 * <p><b>How rows are applied.</b> In {@code complete} mode each micro-batch replaces the table; in
 * {@code update} (or {@code append}) mode with key columns each row replaces the row with the same
 * key; without keys rows are appended.
 *
 * <p><b>Durability and delivery.</b> The table is written with {@code foreachBatch}, into the query's
 * checkpoint folder ({@code CHECKPOINT/table-NAME}), and a batch becomes visible only once it is
 * written. What a batch writes follows the batch, not the table: in {@code update} and
 * {@code append} mode the rows it upserted (or, without keys, appended) go to
 * {@code delta-<batchId>.jsonl}; a compaction on a thread of its own folds the deltas into
 * {@code snapshot-<batchId>.jsonl} now and then (after 50 deltas, or when the deltas hold as many
 * rows as the table), from the immutable version of the table as of that batch, so a batch never
 * waits for it. In {@code complete} mode each batch replaces the whole table, so it writes a whole
 * snapshot: that is what such a batch is. Every file is written to a temporary file, synced and
 * renamed into place. {@link #prepare}, called before the query starts, reads the newest snapshot and
 * then the later deltas in batch order (deltas a snapshot already holds are ignored, temporary files
 * left by a crash are deleted). A micro-batch whose id is not above the last one read is one Spark
 * re-runs after a crash: it was already applied and is skipped. Together with Spark's checkpointed
 * offsets and state this is {@link DeliveryGuarantee#EXACTLY_ONCE}: after a restart the table holds
 * every accepted record once, whether the crash came in the middle of a delta or of a compaction.
 *
 * <p><b>Threads.</b> Micro-batches are applied on the query's thread; {@link #rows()} and
 * {@link #query} may be called from any thread and see the table as of the last applied batch (an
 * immutable version; versions share the chunks of 1,024 rows that a batch did not change, so a
 * batch's cost follows its own rows, not the table's). Compaction runs on a daemon thread
 * {@code kindling-table-compactor-NAME}; a failed compaction fails the next batch with a
 * {@link dev.kindling.ipp.TransientException}, and the restart reads the files that are there.
 *
 * <p><b>Size and memory.</b> The table is meant for results that fit the driver (top-N, counts): it
 * holds at most {@code maxRows} rows (default {@value #DEFAULT_MAX_ROWS}). A row of a short string
 * key and a long count holds about 192 bytes of heap with its share of the key index (measured on a
 * 1,000,000-row table; wider rows hold more). A {@code maxRows} whose rows cannot fit the heap
 * ({@code maxRows} &times; 200 bytes &times; 2 for headroom above {@link Runtime#maxMemory()}) is refused when the table is made, with a
 * {@link ConfigurationException} naming {@code maxRows}, the estimate and the heap. A table with keys
 * (or in complete mode) fails the query on a batch that would exceed {@code maxRows}, before the batch
 * is collected to the driver, naming the option to raise. A table without keys keeps the newest
 * {@code maxRows} rows and counts those it evicts ({@link #evictedRows()}). Each sort order that
 * reads ask for is kept per batch, so a top-N read does not sort the table.
 */
public final class QueryableTable implements StreamWritable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryableTable.class);

    /** The default row limit of a table ({@code table:NAME?maxRows=N} sets another). */
    public static final int DEFAULT_MAX_ROWS = 1_000_000;

    /**
     * Heap one row holds in the driver, with its share of the key index: measured for a row of a short
     * string key and a long count (a 1,000,000-row table, heap used after a full collection before and
     * after; {@code bench/streaming}, {@code TableBench}: 192 bytes), rounded up. Wider rows hold more.
     */
    static final long BYTES_PER_ROW = 200;
    /** Headroom over the estimate: a batch's rows, a sorted copy for reads and a compaction live beside the table. */
    static final int HEAP_HEADROOM = 2;

    private final String name;
    private final List<String> keys;
    private final int maxRows;
    private volatile State state;
    private volatile TableStore store;
    /** The writer's side, guarded by {@code writeLock}: the rows and key index, and the compaction of the store's deltas. */
    private TableContents contents;
    private TableCompactor compactor;
    private volatile String outputMode = "update";
    private final Object writeLock = new Object();

    private final java.util.concurrent.atomic.AtomicLong evicted = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The table as of one batch, and its sort orders: each order a query asks for is sorted once per
     * batch and kept until the next, so top-N reads cost the N rows they return, not a sort of the table.
     */
    private record State(long batchId, StructType schema, List<Row> rows, Map<String, List<Row>> orders) {
        State(long batchId, StructType schema, List<Row> rows) {
            this(batchId, schema, rows, new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    /**
     * @param name    the table's name in URLs: letters, digits, {@code _}
     * @param keys    key columns; rows with the same key replace each other; empty: rows are appended
     *                (or, in complete mode, the table is replaced each batch)
     * @param maxRows the most rows the table may hold, at least 1
     * @throws ConfigurationException when {@code maxRows} rows cannot fit this JVM's heap (see the class javadoc)
     */
    public QueryableTable(String name, List<String> keys, int maxRows) {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigurationException("a queryable table's name must be letters, digits and underscores, as in table:word_counts; got '" + name + "'");
        }
        this.name = name;
        this.keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
        this.keys.forEach(k -> JdbcEndpoint.identifier(k, "key column of table '" + name + "'"));
        if (maxRows < 1) {
            throw new ConfigurationException("maxRows of table '" + name + "' must be at least 1; got " + maxRows);
        }
        requireHeap(name, maxRows, Runtime.getRuntime().maxMemory());
        this.maxRows = maxRows;
        this.state = new State(-1, new StructType(), List.of());
    }

    /** Refuses a {@code maxRows} whose rows could not fit a heap of {@code heap} bytes. */
    static void requireHeap(String name, int maxRows, long heap) {
        long needed = maxRows * BYTES_PER_ROW * HEAP_HEADROOM;
        if (needed > heap) {
            throw new ConfigurationException(String.format(java.util.Locale.ROOT, "table '%s' may hold maxRows=%d rows, an estimated %d MiB "
                    + "of heap (%d bytes per row, times %d for headroom), but the heap is at most %d MiB: lower the option maxRows "
                    + "(table:%s?maxRows=N) or give the JVM more heap (-Xmx)", name, maxRows, needed >> 20, BYTES_PER_ROW,
                    HEAP_HEADROOM, heap >> 20, name));
        }
    }

    /** A table whose rows replace each other by {@code keys}, with the default row limit. */
    public static QueryableTable keyedBy(String name, String... keys) {
        return new QueryableTable(name, Arrays.asList(keys), DEFAULT_MAX_ROWS);
    }

    /** The table's name (without {@code table:}). */
    public String tableName() {
        return name;
    }

    public List<String> keys() {
        return keys;
    }

    @Override
    public String name() {
        return "table:" + name;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.EXACTLY_ONCE;
    }

    /**
     * Prepares the table for a query: checks the key columns against {@code schema}, remembers the
     * output mode, waits for a compaction of the previous run to end, and reads the newest snapshot and
     * the later deltas from {@code CHECKPOINT/table-NAME}. Called by core's
     * {@link dev.kindling.ipp.StreamingPlan} before each (re)start of the query, on the thread that starts it.
     *
     * @throws ConfigurationException when a key column is not in {@code schema}, or there is no checkpoint
     */
    @Override
    public void prepare(SparkSession spark, StructType schema, String outputMode, String checkpoint) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(schema, "schema");
        if (checkpoint == null) {
            throw new ConfigurationException(name() + " keeps its snapshots beside the query's checkpoint: give the query a checkpoint");
        }
        List<String> columns = Arrays.asList(schema.fieldNames());
        for (String k : keys) {
            if (!columns.contains(k)) {
                throw new ConfigurationException("key column '" + k + "' of " + name() + " is not a column of the query's result; columns: " + columns);
            }
        }
        synchronized (writeLock) {
            this.outputMode = Objects.requireNonNull(outputMode, "outputMode");
            if (compactor != null) {
                compactor.close(); // a compaction of the last run must end before the files are read
            }
            TableStore s = new TableStore(checkpoint + "/table-" + name, spark.sparkContext().hadoopConfiguration());
            var loaded = s.load(spark);
            contents = loaded.map(l -> TableContents.restore(l.parts(), maxRows)).orElseGet(TableContents::new);
            compactor = new TableCompactor(s, name, TableCompactor.DEFAULT_AFTER_DELTAS, loaded.map(TableStore.Loaded::deltas).orElse(0),
                    loaded.map(TableStore.Loaded::deltaRows).orElse(0L));
            this.store = s;
            if (loaded.isPresent()) {
                state = new State(loaded.get().batchId(), schema, contents.rows());
                LOG.info("table {}: {} row(s) restored from the snapshot of batch {} in {} ({} file(s): {} delta(s) after the newest snapshot)",
                        name, state.rows().size(), state.batchId(), s.location(), loaded.get().parts().size(), loaded.get().deltas());
            } else {
                state = new State(-1, schema, List.of());
            }
        }
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        VoidFunction2<Dataset<Row>, Long> apply = this::apply;
        return data.writeStream().foreachBatch(apply);
    }

    /** Applies micro-batch {@code batchId}; see the class javadoc. */
    void apply(Dataset<Row> batch, long batchId) {
        TableStore s = store;
        if (s == null) {
            throw new ConfigurationException(name() + " was not prepared: run it with a StreamingRunner (or StreamingPlan), which "
                    + "gives it a place for its snapshots");
        }
        synchronized (writeLock) {
            State current = state;
            if (batchId <= current.batchId()) {
                LOG.info("table {}: batch {} was already applied (snapshot of batch {}); skipped", name, batchId, current.batchId());
                return;
            }
            compactor.throwIfFailed();
            StructType schema = batch.schema();
            // at most maxRows + 1 rows reach the driver: one more than fits tells that the batch is too big
            List<Row> incoming = batch.limit(maxRows + 1).collectAsList();
            TableContents.Change change;
            if (outputMode.equals("complete")) {
                requireFits(incoming.size() > maxRows ? "more than " + maxRows : Integer.toString(incoming.size()), incoming.size(), batchId);
                change = contents.replace(incoming);
                s.saveSnapshot(batchId, schema, change.rows());
                compactor.snapshotWritten();
            } else {
                if (keys.isEmpty()) {
                    change = contents.append(incoming, incoming.size() > maxRows ? batch.count() : incoming.size(), maxRows);
                } else {
                    requireFits("more than " + maxRows + " changed", incoming.size(), batchId);
                    change = contents.upsert(incoming, keys);
                    requireFits(Integer.toString(change.rows().size()), change.rows().size(), batchId);
                }
                s.saveDelta(batchId, schema, keys, change.delta());
            }
            contents.commit(change);
            state = new State(batchId, schema, change.rows());
            if (change.dropped() > 0) {
                evicted.addAndGet(change.dropped());
                LOG.info("table {}: batch {} evicted {} old row(s) to stay within maxRows={}", name, batchId, change.dropped(), maxRows);
            }
            if (!change.replaced()) {
                compactor.afterDelta(batchId, schema, change.delta().size(), change.rows());
            }
        }
    }

    private void requireFits(String rows, int size, long batchId) {
        if (size > maxRows) {
            throw new KindlingException("table " + name + " would hold " + rows + " rows after batch " + batchId + "; its limit is "
                    + maxRows + ": aggregate more, or raise it with the option maxRows (table:" + name + "?maxRows=N)");
        }
    }

    /** Rows a table without keys has evicted to stay within {@code maxRows}, since this JVM started. */
    public long evictedRows() {
        return evicted.get();
    }

    /** The schema of the table's rows (the query's result schema once prepared). */
    public StructType schema() {
        return state.schema();
    }

    /** The id of the last micro-batch applied, or -1. */
    public long lastBatchId() {
        return state.batchId();
    }

    /** All rows, as of the last applied batch. */
    public List<Row> rows() {
        return state.rows();
    }

    /**
     * Rows as ordered maps (column name to a JSON-friendly value), sorted and limited as {@code query}
     * says. Each order is sorted once per batch and kept, so this costs the rows it returns.
     */
    public List<Map<String, Object>> query(TableQuery query) {
        State s = state;
        List<Row> rows = query.orderBy().isEmpty() ? s.rows()
                : s.orders().computeIfAbsent(query.orderBy().get() + (query.descending() ? " desc" : " asc"),
                        k -> sorted(s, query.orderBy().get(), query.descending()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows.subList(0, Math.min(query.limit(), rows.size()))) {
            out.add(JsonValues.row(r));
        }
        return out;
    }

    private static List<Row> sorted(State s, String column, boolean descending) {
        int index = s.schema().fieldIndex(column);
        Comparator<Row> byColumn = (a, b) -> compare(a.get(index), b.get(index));
        if (descending) {
            byColumn = byColumn.reversed();
        }
        Comparator<Row> order = byColumn;
        for (StructField f : s.schema().fields()) {
            int i = s.schema().fieldIndex(f.name());
            if (i != index && isOrderable(f)) {
                order = order.thenComparing((a, b) -> compare(a.get(i), b.get(i)));
            }
        }
        List<Row> rows = new ArrayList<>(s.rows());
        rows.sort(order);
        return List.copyOf(rows);
    }

    private static boolean isOrderable(StructField f) {
        String t = f.dataType().typeName();
        return !(t.equals("binary") || t.equals("struct") || t.equals("array") || t.equals("map"));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1; // nulls last
        }
        return ((Comparable) a).compareTo(b);
    }

    @Override
    public String toString() {
        return name() + (keys.isEmpty() ? "" : "?keys=" + String.join(",", keys));
    }
}
