package dev.kindling.streaming.internal;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import org.apache.spark.sql.Row;

/**
 * An immutable list of rows kept in chunks of {@value #CHUNK} that versions share: an {@link Editor}
 * makes the next version by copying only the chunks it changes and the small array that points at
 * them, so a batch that changes {@code k} rows of an {@code n}-row table costs about
 * {@code k * CHUNK + n / CHUNK} reference copies, not {@code n}. Readers on any thread see one version,
 * which never changes.
 *
 * <pre>{@code
 * RowChunks.Editor e = RowChunks.EMPTY.edit();
 * e.add(row);
 * RowChunks v1 = e.build();
 * RowChunks.Editor next = v1.edit();
 * next.set(0, changed);          // v1 is unchanged
 * }</pre>
 */
public final class RowChunks extends AbstractList<Row> implements RandomAccess {
    static final int SHIFT = 10;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;

    /** The empty list. */
    public static final RowChunks EMPTY = new RowChunks(new Row[0][], 0, 0);

    private final Row[][] chunks;
    /** Position of the first row within {@code chunks[0]}: rows dropped from the front leave a gap there. */
    private final int first;
    private final int size;

    private RowChunks(Row[][] chunks, int first, int size) {
        this.chunks = chunks;
        this.first = first;
        this.size = size;
    }

    /** A list of {@code rows}, copied. */
    public static RowChunks of(List<Row> rows) {
        Editor e = EMPTY.edit();
        rows.forEach(e::add);
        return e.build();
    }

    @Override
    public Row get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size + " rows");
        }
        int at = first + index;
        return chunks[at >>> SHIFT][at & MASK];
    }

    @Override
    public int size() {
        return size;
    }

    /** An editor that starts from this version; this version never changes. */
    public Editor edit() {
        return new Editor(this);
    }

    /**
     * Makes the next version: used by one thread, then {@link #build()} once. Chunks of the version it
     * started from are copied before their first change.
     */
    public static final class Editor {
        private Row[][] chunks;
        /** Chunks this editor copied or created, which it may change in place. */
        private boolean[] owned;
        private int first;
        private int size;

        private Editor(RowChunks from) {
            this.chunks = Arrays.copyOf(from.chunks, from.chunks.length);
            this.owned = new boolean[from.chunks.length];
            this.first = from.first;
            this.size = from.size;
        }

        public int size() {
            return size;
        }

        /** Replaces the row at {@code index}. */
        public void set(int index, Row row) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + " of " + size + " rows");
            }
            int at = first + index;
            writable(at >>> SHIFT)[at & MASK] = row;
        }

        /** Appends {@code row}. */
        public void add(Row row) {
            int at = first + size;
            int c = at >>> SHIFT;
            if (c == chunks.length) {
                chunks = Arrays.copyOf(chunks, Math.max(4, chunks.length + (chunks.length >> 1)));
                owned = Arrays.copyOf(owned, chunks.length);
            }
            if (chunks[c] == null) {
                chunks[c] = new Row[CHUNK];
                owned[c] = true;
            }
            writable(c)[at & MASK] = row;
            size++;
        }

        /** Drops the {@code count} oldest rows. */
        public void dropFirst(int count) {
            if (count < 0 || count > size) {
                throw new IndexOutOfBoundsException("cannot drop " + count + " of " + size + " rows");
            }
            first += count;
            size -= count;
            int whole = first >>> SHIFT;
            if (whole > 0) {
                chunks = Arrays.copyOfRange(chunks, whole, Math.max(whole, chunks.length));
                owned = Arrays.copyOfRange(owned, whole, Math.max(whole, owned.length));
                first &= MASK;
            }
            if (size == 0) {
                chunks = new Row[0][];
                owned = new boolean[0];
                first = 0;
            }
        }

        private Row[] writable(int c) {
            if (!owned[c]) {
                chunks[c] = chunks[c].clone();
                owned[c] = true;
            }
            return chunks[c];
        }

        /** The new version. */
        public RowChunks build() {
            int used = size == 0 ? 0 : ((first + size - 1) >>> SHIFT) + 1;
            Row[][] exact = used == chunks.length ? chunks : Arrays.copyOf(chunks, used);
            RowChunks built = new RowChunks(exact, first, size);
            // what was built must never change: an editor is used once
            chunks = null;
            return built;
        }
    }
}
