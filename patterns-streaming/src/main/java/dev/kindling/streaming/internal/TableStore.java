package dev.kindling.streaming.internal;

import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.TransientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The durable copy of a queryable table: after each micro-batch the whole table is written as
 * {@code DIR/snapshot-<batchId>.jsonl} (first line the schema as JSON, then one row per line),
 * written to a temporary file first and renamed into place; older snapshots are then deleted
 * (the last two are kept). Works on any Hadoop file system. Called from one thread at a time.
 */
public final class TableStore {
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".jsonl";
    private static final int KEEP = 2;

    private final Path dir;
    private final Configuration conf;

    public TableStore(String dir, Configuration conf) {
        this.dir = new Path(dir);
        this.conf = conf;
    }

    /** A snapshot read back: the batch it ends with, the schema and the rows. */
    public record Snapshot(long batchId, StructType schema, List<Row> rows) {
    }

    public String location() {
        return dir.toString();
    }

    /**
     * Writes the table as of {@code batchId}: to a temporary file that is synced to disk, then renamed
     * into place, and (on a local file system) the directory is synced too, so a crash leaves either the
     * old snapshot or the whole new one.
     */
    public void save(long batchId, StructType schema, List<Row> rows) {
        try {
            FileSystem fs = dir.getFileSystem(conf);
            // the raw local file system syncs to disk on hsync (the checksummed one only flushes)
            FileSystem writeFs = fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRawFileSystem() : fs;
            writeFs.mkdirs(dir);
            Path tmp = new Path(dir, "_tmp-" + batchId + "-" + System.nanoTime());
            try (org.apache.hadoop.fs.FSDataOutputStream out = writeFs.create(tmp, true)) {
                out.write(schema.json().getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                for (Row r : rows) {
                    out.write(r.json().getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
                out.hsync();
            }
            Path target = new Path(dir, PREFIX + batchId + SUFFIX);
            if (writeFs.exists(target)) {
                writeFs.delete(target, false);
            }
            if (!writeFs.rename(tmp, target)) {
                throw new KindlingException("cannot rename " + tmp + " to " + target);
            }
            syncDirectory(writeFs);
            List<Long> ids = batchIds(fs);
            for (int i = 0; i < ids.size() - KEEP; i++) {
                writeFs.delete(new Path(dir, PREFIX + ids.get(i) + SUFFIX), false);
            }
        } catch (IOException e) {
            throw new TransientException("cannot write the table snapshot of batch " + batchId + " to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Syncs the directory entry of the rename to disk, where the file system is the local one. */
    private void syncDirectory(FileSystem fs) throws IOException {
        if (!"file".equals(fs.getUri().getScheme())) {
            return;
        }
        java.nio.file.Path local = java.nio.file.Paths.get(fs.makeQualified(dir).toUri());
        try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(local, java.nio.file.StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The newest snapshot, if any; rows are parsed by Spark with the stored schema. */
    public Optional<Snapshot> latest(SparkSession spark) {
        try {
            FileSystem fs = dir.getFileSystem(conf);
            if (!fs.exists(dir)) {
                return Optional.empty();
            }
            List<Long> ids = batchIds(fs);
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            long id = ids.get(ids.size() - 1);
            List<String> lines = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(new Path(dir, PREFIX + id + SUFFIX)), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            }
            if (lines.isEmpty()) {
                throw new KindlingException("table snapshot " + id + " in " + dir + " is empty; delete it to start from the one before");
            }
            StructType schema = (StructType) DataType.fromJson(lines.get(0));
            List<Row> rows = lines.size() == 1 ? List.of()
                    : spark.read().schema(schema).option("mode", "FAILFAST")
                            .json(spark.createDataset(lines.subList(1, lines.size()), Encoders.STRING())).collectAsList();
            return Optional.of(new Snapshot(id, schema, rows));
        } catch (IOException e) {
            throw new TransientException("cannot read table snapshots from " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<Long> batchIds(FileSystem fs) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            String n = st.getPath().getName();
            if (n.startsWith(PREFIX) && n.endsWith(SUFFIX)) {
                try {
                    ids.add(Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())));
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            }
        }
        ids.sort(null);
        return ids;
    }
}
