package dev.kindling.streaming.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The rows of a queryable table as its writer sees them: the current version ({@link RowChunks}) and,
 * for a keyed table, an index from key to position. Applying a batch is two steps: {@link #upsert},
 * {@link #append} or {@link #replace} compute a {@link Change} without touching this object, and
 * {@link #commit} makes it current once the change is durable; a batch that fails in between leaves
 * the table as it was. The cost of a change follows its rows, not the table's (see {@link RowChunks}).
 *
 * <pre>{@code
 * TableContents t = new TableContents();
 * TableContents.Change c = t.upsert(batchRows, List.of("word"));
 * store.saveDelta(batchId, schema, List.of("word"), c.delta());
 * t.commit(c);
 * }</pre>
 *
 * <p>Used by one thread at a time (the micro-batch thread, or {@code prepare} before the query starts).
 */
public final class TableContents {
    private RowChunks rows = RowChunks.EMPTY;
    private final Map<Object, Integer> index = new HashMap<>();
    /** The key columns the index is built for; empty: there is no index. */
    private List<String> indexKeys = List.of();

    /**
     * A computed next version.
     *
     * @param delta   the rows to write as the batch's delta
     * @param added   keys new to the table and their positions
     * @param dropped old rows a keyless table evicted
     */
    public record Change(RowChunks rows, List<Row> delta, List<String> keys, Map<Object, Integer> added, long dropped,
                         boolean replaced) {
    }

    /** The current version. */
    public RowChunks rows() {
        return rows;
    }

    /** Rows replace the row of the same {@code keys} (in place) or are added at the end; a later row of a key wins. */
    public Change upsert(List<Row> incoming, List<String> keys) {
        indexFor(keys);
        RowChunks.Editor next = rows.edit();
        Map<Object, Integer> added = new HashMap<>();
        for (Row r : incoming) {
            Object k = key(r, keys);
            Integer at = index.get(k);
            if (at == null) {
                at = added.get(k);
            }
            if (at == null) {
                next.add(r);
                added.put(k, next.size() - 1);
            } else {
                next.set(at, r);
            }
        }
        return new Change(next.build(), incoming, keys, added, 0, false);
    }

    /**
     * Rows are appended and the newest {@code maxRows} stay. {@code incoming} holds at most
     * {@code maxRows + 1} of the batch's rows; {@code arrived} is how many the batch had.
     */
    public Change append(List<Row> incoming, long arrived, int maxRows) {
        int old = rows.size();
        int keepOld = (int) Math.max(0, Math.min(old, maxRows - Math.min(arrived, maxRows)));
        int keepNew = (int) Math.min(incoming.size(), maxRows - keepOld);
        List<Row> kept = incoming.subList(incoming.size() - keepNew, incoming.size());
        RowChunks.Editor next = rows.edit();
        next.dropFirst(old - keepOld);
        kept.forEach(next::add);
        return new Change(next.build(), kept, List.of(), Map.of(), old + arrived - keepOld - keepNew, false);
    }

    /** The table becomes {@code all} (complete mode, or a snapshot read back). */
    public Change replace(List<Row> all) {
        return new Change(RowChunks.of(all), all, List.of(), Map.of(), 0, true);
    }

    /** Makes {@code change} the current version; a replaced table, or one that dropped rows, builds its index again when next needed. */
    public void commit(Change change) {
        rows = change.rows();
        if (change.replaced() || change.dropped() > 0) {
            index.clear();
            indexKeys = List.of();
        } else if (!change.added().isEmpty()) {
            index.putAll(change.added());
        }
    }

    /**
     * The table that {@code parts} (a snapshot, then deltas in batch order) add up to; a keyless table
     * keeps the newest {@code maxRows} rows, as it did when the batches ran.
     */
    public static TableContents restore(List<TableStore.Part> parts, int maxRows) {
        TableContents t = new TableContents();
        for (TableStore.Part p : parts) {
            t.commit(switch (p.kind()) {
                case SNAPSHOT -> t.replace(p.rows());
                case UPSERT -> t.upsert(p.rows(), p.keys());
                case APPEND -> t.append(p.rows(), p.rows().size(), maxRows);
            });
        }
        return t;
    }

    /** Builds the index for {@code keys} unless it is built for them already: once after a restore, not per batch. */
    private void indexFor(List<String> keys) {
        if (keys.equals(indexKeys)) {
            return;
        }
        index.clear();
        for (int i = 0; i < rows.size(); i++) {
            index.put(key(rows.get(i), keys), i);
        }
        indexKeys = List.copyOf(keys);
    }

    /** A row's key: the value itself for one key column, a list of the values for several. */
    private static Object key(Row r, List<String> keys) {
        if (keys.size() == 1) {
            return r.get(r.fieldIndex(keys.get(0)));
        }
        Object[] values = new Object[keys.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.get(r.fieldIndex(keys.get(i)));
        }
        return Arrays.asList(values);
    }
}
