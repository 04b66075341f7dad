package dev.kindling.examples.enrich;

import static org.apache.spark.sql.functions.col;

import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The products table as the orders query sees it: Parquet snapshots in a folder, and a table in Spark's catalog
 * that points at the newest one. It is also the sink of the {@link ProductsRefresh products refresh}, which writes
 * each change of the PostgreSQL table as a new snapshot.
 *
 * <pre>{@code
 * ProductSnapshots products = new ProductSnapshots(Path.of("/var/lib/enrich/products"), Duration.ofSeconds(60));
 * Dataset<Row> table = products.table(spark);    // productId, name, price: the newest snapshot, in every batch
 * }</pre>
 *
 * <p><b>Layout.</b> Each batch {@code N} of the refresh is written to {@code DIR/_tmp-snapshot-N-T} and renamed to
 * {@code DIR/snapshot-N-T} ({@code T} the time of the write, so a batch written again after a crash gets a folder of
 * its own): the previous snapshot with the batch's changed rows put in by product id. A snapshot folder is never
 * changed once renamed into place, and the three newest are kept, so a query still reading an older one never sees a
 * file vanish or change under it.
 *
 * <p><b>How a running query sees a new snapshot.</b> The catalog table (named after the folder) is partitioned,
 * with one partition whose location is moved to each new snapshot ({@code ALTER TABLE ... SET LOCATION}). Spark asks
 * the catalog for a partitioned table's files each time it plans a batch, so the next batch of a running query reads
 * the new snapshot: in real-time mode each batch lasts one checkpoint interval, so a product change reaches orders
 * within the refresh interval, plus the time the refresh's Spark jobs wait for a task slot, plus one checkpoint
 * interval. (A plain {@code spark.read().parquet(DIR)} would be listed
 * once, when the query starts, and files replaced under it would fail the query.)
 *
 * <p>Thread-safe: the table is (re)registered under a lock; snapshots are written by one refresh runner.
 */
public final class ProductSnapshots implements BatchWritable {
    /** The snapshot's columns. */
    public static final String SCHEMA = "productId STRING, name STRING, price DECIMAL(10,2)";
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d+)-(\\d+)");
    private static final int KEEP = 3;

    private final Path dir;
    private final String table;
    private final Duration firstSnapshotWait;
    /** Notified when a snapshot is in place. */
    private final Object published = new Object();
    /** The rows of the last snapshot this instance wrote, and its batch id; null before the first write. */
    private Map<String, Row> current;
    private long currentBatch = -1;

    /**
     * @param dir               the folder of the snapshots; created when missing
     * @param firstSnapshotWait how long {@link #table} waits for the first snapshot before it gives up (the query's start
     *                          is then retried by its runner)
     */
    public ProductSnapshots(Path dir, Duration firstSnapshotWait) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.firstSnapshotWait = Objects.requireNonNull(firstSnapshotWait, "firstSnapshotWait");
        this.table = "enrich_products_" + Integer.toHexString(this.dir.toString().hashCode());
    }

    /** The folder of the snapshots. */
    public Path dir() {
        return dir;
    }

    @Override
    public String name() {
        return "products snapshots(file:" + dir + ")";
    }

    /** A batch written again replaces its earlier attempt: the orders query reads the newest of them. */
    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.IDEMPOTENT;
    }

    /** A batch holds the rows changed since the last one; they replace the rows of the same product id. */
    @Override
    public boolean upsertsByKey() {
        return true;
    }

    /**
     * The products table for the orders query: the catalog table pointed at the newest snapshot, without its
     * partition column. Waits up to {@code firstSnapshotWait} for the first snapshot, so that no order is judged
     * against an empty table while the refresh reads PostgreSQL for the first time.
     *
     * @throws TransientException when no snapshot appeared in time
     */
    public Dataset<Row> table(SparkSession spark) {
        long until = System.nanoTime() + firstSnapshotWait.toNanos();
        Optional<Path> newest;
        synchronized (published) { // the refresh's first cycle, on its own thread, writes the first snapshot and wakes us
            newest = newest();
            long left;
            while (newest.isEmpty() && (left = until - System.nanoTime()) > 0) {
                try {
                    published.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TransientException("interrupted while waiting for the first products snapshot in " + dir, e);
                }
                newest = newest();
            }
        }
        if (newest.isEmpty()) {
            throw new TransientException("no products snapshot in " + dir + " after " + firstSnapshotWait
                    + ": the products refresh has not read the products table yet (is the database up?)");
        }
        synchronized (this) { // not while waiting: the refresh takes this lock to publish the snapshot waited for
            return register(spark, newest().orElseThrow()); // the newest now: the refresh may have published another meanwhile
        }
    }

    private Dataset<Row> register(SparkSession spark, Path newest) {
        try {
            Files.createDirectories(dir.resolve("_table")); // the table's own location: empty, its one partition is elsewhere
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.resolve("_table"), e);
        }
        spark.sql("CREATE TABLE IF NOT EXISTS " + table + " (" + SCHEMA + ", part INT) USING parquet PARTITIONED BY (part) LOCATION '"
                + sqlPath(dir.resolve("_table")) + "'");
        if (spark.sql("SHOW PARTITIONS " + table).isEmpty()) {
            spark.sql("ALTER TABLE " + table + " ADD PARTITION (part = 0) LOCATION '" + sqlPath(newest) + "'");
        } else {
            point(spark, newest);
        }
        return spark.table(table).drop("part");
    }

    /**
     * Writes batch {@code batchId} of changed products ({@code productId, name, price}) as a new snapshot, points the
     * catalog table at it and deletes all but the newest snapshots. The merge runs in the driver (the table is small:
     * every task of the orders query holds it too), so a batch runs two Spark jobs, reading the changes and writing the
     * snapshot; a third reads the previous snapshot after a restart. While the orders query holds every task slot in
     * real-time mode, each job waits for the end of one of its batches.
     */
    @Override
    public WriteResult write(Dataset<Row> changes, long batchId) {
        SparkSession spark = changes.sparkSession();
        List<Row> changed = changes.select(col("productId"), col("name"), col("price").cast("decimal(10,2)").as("price")).collectAsList();
        Map<String, Row> rows = new TreeMap<>(base(spark, batchId));
        changed.forEach(r -> rows.put(r.getString(0), r));
        String name = "snapshot-" + batchId + "-" + System.currentTimeMillis();
        Path tmp = dir.resolve("_tmp-" + name);
        Path target = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            spark.createDataFrame(new ArrayList<>(rows.values()), StructType.fromDDL(SCHEMA)).coalesce(1).write().parquet(tmp.toString());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TransientException("cannot write the products snapshot " + target + ": " + e.getMessage(), e);
        }
        synchronized (published) {
            published.notifyAll();
        }
        synchronized (this) {
            current = Map.copyOf(rows);
            currentBatch = batchId;
            if (spark.catalog().tableExists(table)) {
                point(spark, target);
            }
        }
        prune();
        return new WriteResult(batchId, changed.size());
    }

    /** The rows of the newest snapshot of a batch before {@code batchId}, by product id: what the batch is merged into. */
    private synchronized Map<String, Row> base(SparkSession spark, long batchId) {
        Optional<Path> base = before(batchId);
        if (base.isEmpty()) {
            return Map.of();
        }
        if (current != null && currentBatch == batchOf(base.get())) {
            return current;
        }
        Map<String, Row> rows = new TreeMap<>();
        spark.read().schema(SCHEMA).parquet(base.get().toString()).collectAsList().forEach(r -> rows.put(r.getString(0), r));
        return rows;
    }

    private void point(SparkSession spark, Path snapshot) {
        spark.sql("ALTER TABLE " + table + " PARTITION (part = 0) SET LOCATION '" + sqlPath(snapshot) + "'");
    }

    /** The newest snapshot folder, by batch id and then time of writing. */
    Optional<Path> newest() {
        return snapshots().stream().reduce((a, b) -> b);
    }

    /** The newest snapshot of a batch before {@code batchId}: the base a batch is merged into. */
    private Optional<Path> before(long batchId) {
        return snapshots().stream().filter(p -> batchOf(p) < batchId).reduce((a, b) -> b);
    }

    /** The snapshot folders, oldest first. */
    List<Path> snapshots() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> SNAPSHOT.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(ProductSnapshots::batchOf).thenComparingLong(ProductSnapshots::timeOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the products snapshots in " + dir, e);
        }
    }

    private void prune() {
        List<Path> all = snapshots();
        for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) {
            deleteTree(old);
        }
    }

    private static long batchOf(Path p) {
        Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long timeOf(Path p) {
        Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    private static String sqlPath(Path p) {
        return p.toUri().toString().replace("'", "\\'");
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the old products snapshot " + root, e);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
