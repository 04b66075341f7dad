package dev.kindling.connect.internal;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.KindlingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Upserts one partition on an executor: one connection, one transaction, JDBC batches of a fixed size.
 */
public final class JdbcUpsertWriter implements ForeachPartitionFunction<Row> {
    private static final long serialVersionUID = 1L;
    private final JdbcEndpoint endpoint;
    private final String sql;
    private final int columnCount;
    private final int batchSize;
    private final LongAccumulator rows;

    public JdbcUpsertWriter(JdbcEndpoint endpoint, String sql, int columnCount, int batchSize, LongAccumulator rows) {
        this.endpoint = endpoint;
        this.sql = sql;
        this.columnCount = columnCount;
        this.batchSize = batchSize;
        this.rows = rows;
    }

    /** {@code INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b}. */
    public static String upsertSql(String table, List<String> columns, List<String> keys) {
        String placeholders = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        List<String> updates = columns.stream().filter(c -> !keys.contains(c)).map(c -> c + " = EXCLUDED." + c).toList();
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + placeholders + ") ON CONFLICT ("
                + String.join(", ", keys) + ") " + (updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates));
    }

    @Override
    public void call(Iterator<Row> partition) throws Exception {
        if (!partition.hasNext()) {
            return;
        }
        try (Connection c = endpoint.connect()) {
            c.setAutoCommit(false);
            long written = 0;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int pending = 0;
                while (partition.hasNext()) {
                    Row row = partition.next();
                    for (int i = 0; i < columnCount; i++) {
                        ps.setObject(i + 1, row.get(i));
                    }
                    ps.addBatch();
                    pending++;
                    if (pending == batchSize) {
                        ps.executeBatch();
                        written += pending;
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ps.executeBatch();
                    written += pending;
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                SQLException next = e.getNextException();
                throw new KindlingException("upsert failed: " + (next != null ? next.getMessage() : e.getMessage()), e);
            }
            rows.add(written);
        }
    }
}
