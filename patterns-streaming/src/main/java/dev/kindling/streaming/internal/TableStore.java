package dev.kindling.streaming.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.TransientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The durable copy of a queryable table, in one folder of any Hadoop file system:
 * <ul>
 *   <li>{@code delta-B.jsonl}: what micro-batch {@code B} changed. Line 1 the schema (JSON), line 2
 *       how to apply the rows ({@code {"kind":"upsert","keys":["word"]}} or
 *       {@code {"kind":"append","keys":[]}}), then one row per line;</li>
 *   <li>{@code snapshot-B.jsonl}: the whole table as of batch {@code B}. Line 1 the schema, then one
 *       row per line. Written by compaction ({@link TableCompactor}) from the deltas' running total, or
 *       by a complete-mode batch, which replaces the table;</li>
 *   <li>{@code _tmp-*}: a file being written; renamed into place whole ({@link DurableFile}).</li>
 * </ul>
 * {@link #load} reads the newest snapshot and then the deltas of later batches, in batch order;
 * deltas of batches at or below the snapshot are already in it and are ignored (a compaction that
 * stopped before deleting them leaves them behind), and leftover temporary files are deleted.
 *
 * <pre>{@code
 * TableStore store = new TableStore(checkpoint + "/table-counts", spark.sparkContext().hadoopConfiguration());
 * store.saveDelta(7, schema, List.of("word"), changedRows);
 * TableContents table = store.load(spark).map(l -> TableContents.restore(l.parts(), maxRows)).orElseGet(TableContents::new);
 * }</pre>
 *
 * <p>Threads: the micro-batch thread calls the write methods, one at a time; the compactor writes
 * snapshots on its own thread. Loading and writing a snapshot (with the deletions that follow it) hold
 * a lock of the folder, in this JVM, so a load never sees a file vanish under it nor deletes the
 * temporary file of a snapshot being written; a delta's write takes no lock, so a batch never waits
 * for a compaction.
 */
public final class TableStore {
    static final String SNAPSHOT = "snapshot-";
    static final String DELTA = "delta-";
    static final String SUFFIX = ".jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final Configuration conf;
    private final ReentrantLock lock;

    public TableStore(String dir, Configuration conf) {
        this.dir = new Path(dir);
        this.conf = conf;
        this.lock = LOCKS.computeIfAbsent(this.dir.toUri().normalize().toString(), d -> new ReentrantLock());
    }

    /** How a part's rows apply to the table. */
    public enum Kind { SNAPSHOT, UPSERT, APPEND }

    /**
     * One file read back.
     *
     * @param keys the key columns of an {@link Kind#UPSERT}; empty otherwise
     */
    public record Part(long batchId, Kind kind, List<String> keys, StructType schema, List<Row> rows) {
    }

    /** What {@link #load} found: the last batch it holds, and the parts to apply in order (a snapshot first, if any). */
    public record Loaded(long batchId, List<Part> parts) {
        /** Rows in deltas after the snapshot. */
        public long deltaRows() {
            return parts.stream().filter(p -> p.kind() != Kind.SNAPSHOT).mapToLong(p -> p.rows().size()).sum();
        }

        /** Deltas after the snapshot. */
        public int deltas() {
            return (int) parts.stream().filter(p -> p.kind() != Kind.SNAPSHOT).count();
        }
    }

    public String location() {
        return dir.toString();
    }

    /** Writes what batch {@code batchId} changed: rows replacing rows of the same {@code keys}, or appended where {@code keys} is empty. */
    public void saveDelta(long batchId, StructType schema, List<String> keys, List<Row> rows) {
        var header = JSON.createObjectNode().put("kind", keys.isEmpty() ? "append" : "upsert");
        var keyArray = header.putArray("keys");
        keys.forEach(keyArray::add);
        write(DELTA, batchId, Stream.of(schema.json(), header.toString()), rows);
    }

    /**
     * Writes the whole table as of {@code batchId}, then deletes what it replaces. A complete-mode batch
     * calls this on the batch's path; the compactor calls it on its own thread.
     */
    public void saveSnapshot(long batchId, StructType schema, List<Row> rows) {
        lock.lock();
        try {
            write(SNAPSHOT, batchId, Stream.of(schema.json()), rows);
            FileSystem fs = DurableFile.writable(dir.getFileSystem(conf));
            for (FileStatus st : fs.listStatus(dir)) {
                long id = batchOf(st.getPath().getName(), DELTA);
                long snapshot = batchOf(st.getPath().getName(), SNAPSHOT);
                if ((id >= 0 && id <= batchId) || (snapshot >= 0 && snapshot < batchId)) {
                    fs.delete(st.getPath(), false);
                }
            }
            DurableFile.syncDirectory(fs, dir);
        } catch (IOException e) {
            throw new TransientException("cannot delete the table files that the snapshot of batch " + batchId + " in " + dir
                    + " replaces: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void write(String prefix, long batchId, Stream<String> header, List<Row> rows) {
        try {
            FileSystem fs = dir.getFileSystem(conf);
            Iterable<String> lines = () -> Stream.concat(header, rows.stream().map(Row::json)).iterator();
            DurableFile.write(fs, dir, prefix + batchId + SUFFIX, lines);
        } catch (IOException e) {
            throw new TransientException("cannot write the table " + (prefix.equals(DELTA) ? "delta" : "snapshot") + " of batch "
                    + batchId + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest snapshot and the deltas after it, rows parsed by Spark with each file's schema; empty
     * when the folder holds neither. Deletes leftover temporary files.
     */
    public Optional<Loaded> load(SparkSession spark) {
        lock.lock();
        try {
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(dir)) {
                return Optional.empty();
            }
            long snapshot = -1;
            TreeMap<Long, Path> deltas = new TreeMap<>();
            for (FileStatus st : fs.listStatus(dir)) {
                String n = st.getPath().getName();
                if (n.startsWith(DurableFile.TEMP_PREFIX)) {
                    DurableFile.writable(fs).delete(st.getPath(), false);
                }
                snapshot = Math.max(snapshot, batchOf(n, SNAPSHOT));
                if (batchOf(n, DELTA) >= 0) {
                    deltas.put(batchOf(n, DELTA), st.getPath());
                }
            }
            List<FileLines> files = new ArrayList<>();
            if (snapshot >= 0) {
                files.add(read(fs, new Path(dir, SNAPSHOT + snapshot + SUFFIX), snapshot, Kind.SNAPSHOT));
            }
            for (var d : deltas.tailMap(snapshot, false).entrySet()) {
                files.add(read(fs, d.getValue(), d.getKey(), null));
            }
            if (files.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Loaded(files.get(files.size() - 1).batchId(), FileLines.parse(spark, files)));
        } catch (IOException e) {
            throw new TransientException("cannot read the table files in " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Reads one file's header and row lines; {@code kind} null: a delta, whose kind is its second line. */
    private FileLines read(FileSystem fs, Path file, long batchId, Kind kind) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        }
        int headerLines = kind == Kind.SNAPSHOT ? 1 : 2;
        if (lines.size() < headerLines) {
            throw new KindlingException("table file " + file + " has no header; it was not written by this version: move it away");
        }
        StructType schema = (StructType) DataType.fromJson(lines.get(0));
        if (kind == Kind.SNAPSHOT) {
            return new FileLines(batchId, Kind.SNAPSHOT, List.of(), schema, lines.subList(1, lines.size()));
        }
        JsonNode header = JSON.readTree(lines.get(1));
        List<String> keys = new ArrayList<>();
        header.path("keys").forEach(k -> keys.add(k.asText()));
        Kind k = "upsert".equals(header.path("kind").asText()) ? Kind.UPSERT : Kind.APPEND;
        return new FileLines(batchId, k, List.copyOf(keys), schema, lines.subList(2, lines.size()));
    }

    /** The batch id in {@code name} when it is {@code prefix<id>.jsonl}, else -1. */
    static long batchOf(String name, String prefix) {
        if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(prefix.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }
}
