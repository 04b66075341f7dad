package dev.kindling.connect;

import dev.kindling.connect.internal.CountedWrite;
import dev.kindling.connect.internal.JdbcUpsertWriter;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes rows to a database table: appends, replaces the table's content, or upserts by key.
 *
 * <pre>{@code
 * Sink counts = Connectors.builtIn().sink("jdbc:postgresql://127.0.0.1:5432/app",
 *         Map.of("table", "word_counts", "mode", "upsert", "keys", "word", "user", "app", "password.env", "PGPASSWORD"));
 * }</pre>
 *
 * <p>Options: {@code table} (required); {@code mode} — {@code append} (default), {@code overwrite}
 * (writes the rows to a staging table {@code TABLE__kindling_stage}, then empties the table and copies
 * them in, in one transaction: readers never see it empty, and a failed write keeps the old rows), {@code upsert} (PostgreSQL only: {@code INSERT ... ON CONFLICT
 * (keys) DO UPDATE}); {@code keys}, comma-separated key columns (required for upsert; the table needs
 * a primary key or unique index on them); {@code batchSize}, rows per JDBC batch (default 1000);
 * {@code user}; {@code password} / {@code password.env} / {@code password.file}.
 *
 * <p>Upserts run on the executors, one connection and one transaction per partition, in JDBC
 * batches of {@code batchSize}.
 *
 * <p>Delivery: {@code upsert} and {@code overwrite} are {@link DeliveryGuarantee#IDEMPOTENT} — a
 * re-run batch leaves one row per key; {@code append} is {@link DeliveryGuarantee#AT_LEAST_ONCE}.
 * As a streaming sink it writes each micro-batch with {@code foreachBatch}, so an upsert sink with a
 * checkpoint is exactly-once in effect.
 */
public final class JdbcSink implements BatchWritable, StreamWritable, Remote {
    /** The write modes. */
    public static final List<String> MODES = List.of("append", "overwrite", "upsert");

    private final JdbcEndpoint endpoint;
    private final String table;
    private final String mode;
    private final List<String> keys;
    private final int batchSize;

    public JdbcSink(JdbcEndpoint endpoint, String table, String mode, List<String> keys, int batchSize) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.table = JdbcEndpoint.identifier(table, "option 'table'");
        String m = Objects.requireNonNull(mode, "mode").toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) {
            throw new ConfigurationException("JDBC sink mode must be one of " + String.join(", ", MODES) + "; got '" + mode + "'");
        }
        this.mode = m;
        this.keys = List.copyOf(keys);
        keys.forEach(k -> JdbcEndpoint.identifier(k, "key column"));
        if (m.equals("upsert") && keys.isEmpty()) {
            throw new ConfigurationException("JDBC sink mode 'upsert' needs the option 'keys' (comma-separated key columns)");
        }
        if (!m.equals("upsert") && !keys.isEmpty()) {
            throw new ConfigurationException("option 'keys' goes with mode=upsert only; mode is '" + m + "'");
        }
        if (m.equals("upsert") && !endpoint.isPostgres()) {
            throw new ConfigurationException("JDBC upsert is built for PostgreSQL (INSERT ... ON CONFLICT); "
                    + ConnectorUri.redact(endpoint.url()) + " is another database: use mode=append or overwrite");
        }
        if (batchSize < 1) {
            throw new ConfigurationException("option 'batchSize' must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return ConnectorUri.redact(endpoint.url()) + "?table=" + table + "&mode=" + mode;
    }

    public String table() {
        return table;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return mode.equals("append") ? DeliveryGuarantee.AT_LEAST_ONCE : DeliveryGuarantee.IDEMPOTENT;
    }

    /** True in mode {@code upsert}: a row written again, in any batch, leaves one row for its keys. */
    @Override
    public boolean upsertsByKey() {
        return mode.equals("upsert");
    }

    @Override
    public DeliveryGuarantee streamGuarantee() {
        return mode.equals("upsert") ? DeliveryGuarantee.EXACTLY_ONCE : guarantee();
    }

    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        if (mode.equals("upsert")) {
            return upsert(data, batchId);
        }
        if (mode.equals("overwrite")) {
            return overwrite(data, batchId);
        }
        return CountedWrite.run(data, batchId, d -> d.write().format("jdbc")
                .mode(SaveMode.Append)
                .option("url", endpoint.url())
                .option("dbtable", table)
                .option("batchsize", Integer.toString(batchSize))
                .options(propertiesMap())
                .save());
    }

    /**
     * Overwrite as one transaction: Spark writes the rows into a staging table next to the target; then
     * one transaction empties the target and copies the staging table in. Readers see the old rows or
     * the new ones, never an empty or half-filled table, and a failed write leaves the old rows.
     */
    private WriteResult overwrite(Dataset<Row> data, long batchId) {
        String stage = table + "__kindling_stage";
        WriteResult staged = CountedWrite.run(data, batchId, d -> d.write().format("jdbc")
                .mode(SaveMode.Overwrite)
                .option("url", endpoint.url())
                .option("dbtable", stage)
                .option("batchsize", Integer.toString(batchSize))
                .options(propertiesMap())
                .save());
        String columns = String.join(", ", Arrays.stream(data.columns()).map(c -> JdbcEndpoint.identifier(c, "column")).toList());
        try (java.sql.Connection c = endpoint.connect()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (java.sql.Statement st = c.createStatement()) {
                // TRUNCATE is transactional in PostgreSQL; elsewhere DELETE is the portable form
                st.executeUpdate((endpoint.isPostgres() ? "TRUNCATE TABLE " : "DELETE FROM ") + table);
                st.executeUpdate("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + stage);
                c.commit();
            } catch (java.sql.SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            try (java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("DROP TABLE " + stage);
            }
        } catch (java.sql.SQLException e) {
            throw dev.kindling.ipp.Failures.fromSql("overwrite of " + name() + " with batch " + batchId
                    + " failed; the table keeps its old rows", e);
        }
        return staged;
    }

    private Map<String, String> propertiesMap() {
        Map<String, String> out = new java.util.HashMap<>();
        var p = endpoint.properties();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    private WriteResult upsert(Dataset<Row> data, long batchId) {
        List<String> columns = Arrays.asList(data.columns());
        for (String k : keys) {
            if (!columns.contains(k)) {
                throw new ConfigurationException("key column '" + k + "' of " + name() + " is not a column of the data; columns: " + columns);
            }
        }
        columns.forEach(c -> JdbcEndpoint.identifier(c, "column"));
        LongAccumulator rows = data.sparkSession().sparkContext().longAccumulator("kindling.upsert.rows");
        try {
            data.foreachPartition(new JdbcUpsertWriter(endpoint, JdbcUpsertWriter.upsertSql(table, columns, keys), columns.size(),
                    batchSize, rows));
        } catch (Exception e) { // SparkException is checked to Java but thrown by foreachPartition
            String m = String.valueOf(dev.kindling.ipp.Failures.rootMessage(e));
            if (m.contains("no unique or exclusion constraint")) {
                throw new ConfigurationException("upsert into " + table + " needs a primary key or unique index on ("
                        + String.join(", ", keys) + "): " + m, e);
            }
            if (e instanceof KindlingException k) {
                throw k;
            }
            throw new KindlingException("upsert of batch " + batchId + " into " + table + " failed: " + m, e);
        }
        return new WriteResult(batchId, rows.value());
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        VoidFunction2<Dataset<Row>, Long> each = (batch, batchId) -> write(batch, batchId);
        return data.writeStream().foreachBatch(each);
    }

    /** The database: {@code "database URL"}, checked with a pooled connection. */
    @Override
    public Dependency dependency() {
        return endpoint.dependency();
    }

    @Override
    public String toString() {
        return name();
    }
}
