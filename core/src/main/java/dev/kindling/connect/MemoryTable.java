package dev.kindling.connect;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;

/**
 * A named in-process table: a streaming query writes it (Spark's {@code memory} sink, with the
 * query named after the table) and batch queries read it with {@code spark.table(name)}. Batch
 * writes append to it or replace it. The table lives in the driver and is lost when the process
 * ends, so it suits small results (top-N, demo counts) that the writer can rebuild.
 *
 * <pre>{@code
 * MemoryTable counts = (MemoryTable) Connectors.builtIn().sink("memory:counts");
 * // ... a streaming query writes it ...
 * Dataset<Row> now = counts.read(spark);
 * }</pre>
 *
 * <p>Guarantee: {@link DeliveryGuarantee#IDEMPOTENT} with {@code mode=overwrite} or a streaming
 * query in complete mode; {@link DeliveryGuarantee#AT_LEAST_ONCE} when appending.
 */
public final class MemoryTable implements BatchReadable, BatchWritable, StreamWritable {
    private final String table;
    private final boolean overwrite;

    /**
     * @param table     a SQL identifier: letters, digits, underscore
     * @param overwrite batch writes replace the table ({@code mode=overwrite}) instead of appending (default)
     */
    public MemoryTable(String table, boolean overwrite) {
        if (table == null || !table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigurationException("memory table name must be letters, digits and underscores, as in memory:counts; got '" + table + "'");
        }
        this.table = table;
        this.overwrite = overwrite;
    }

    public String table() {
        return table;
    }

    @Override
    public String name() {
        return "memory:" + table;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return overwrite ? DeliveryGuarantee.IDEMPOTENT : DeliveryGuarantee.AT_LEAST_ONCE;
    }

    @Override
    public boolean needsCheckpoint() {
        return false;
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        if (!spark.catalog().tableExists(table)) {
            throw new ConfigurationException("memory table '" + table + "' does not exist yet: start the pipeline that writes memory:" + table + " first");
        }
        return spark.table(table);
    }

    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        SparkSession spark = data.sparkSession();
        Dataset<Row> fresh = data.localCheckpoint(true);
        long rows = fresh.count();
        synchronized (spark) {
            Dataset<Row> combined = !overwrite && spark.catalog().tableExists(table)
                    ? spark.table(table).unionByName(fresh)
                    : fresh;
            combined.createOrReplaceTempView(table);
        }
        return new WriteResult(batchId, rows);
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        return data.writeStream().format("memory").queryName(table);
    }
}
