package dev.kindling.connect;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.Watermark;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a database table (or query) through Spark's JDBC data source. Filters that Spark can push
 * down become part of the SQL sent to the database; the {@code where} option and the incremental
 * range always do.
 *
 * <pre>{@code
 * Source ratings = Connectors.builtIn().source("jdbc:postgresql://127.0.0.1:5432/app",
 *         Map.of("table", "ratings", "user", "app", "password.env", "PGPASSWORD", "watermarkColumn", "id"));
 * Dataset<Row> recent = ((BatchReadable) ratings).read(spark).filter("rating >= 4");  // pushed down
 * }</pre>
 *
 * <p>Options: {@code table} or {@code query} (exactly one); {@code where}, a SQL predicate added to
 * what is read; {@code user}; {@code password} / {@code password.env} / {@code password.file};
 * {@code watermarkColumn} (makes the source {@link IncrementalReadable}); {@code fetchSize} (default
 * 1000); {@code partitionColumn}, {@code lowerBound}, {@code upperBound}, {@code numPartitions} for
 * parallel reads.
 *
 * <p>As an incremental source, {@link #latestWatermark} asks the database for
 * {@code max(watermarkColumn)} over plain JDBC — no Spark job — and {@link #readIncrement} sends
 * {@code WHERE column > after AND column <= upTo} to the database.
 */
public final class JdbcSource implements BatchReadable, IncrementalReadable {
    private final JdbcEndpoint endpoint;
    private final String table;
    private final String query;
    private final String where;
    private final String watermarkColumn;
    private final Map<String, String> sparkOptions;

    /**
     * @param table           a table name, or null when {@code query} is given
     * @param query           a SELECT, or null when {@code table} is given
     * @param where           an extra predicate, or null
     * @param watermarkColumn the incremental column, or null
     * @param sparkOptions    further options for Spark's JDBC reader (fetchsize, partitionColumn, ...)
     */
    public JdbcSource(JdbcEndpoint endpoint, String table, String query, String where, String watermarkColumn,
                      Map<String, String> sparkOptions) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        if ((table == null) == (query == null)) {
            throw new ConfigurationException("a JDBC source needs exactly one of the options 'table' and 'query'"
                    + (table != null ? "; both were given" : "; neither was given"));
        }
        this.table = table == null ? null : JdbcEndpoint.identifier(table, "option 'table'");
        this.query = query;
        this.where = where;
        this.watermarkColumn = watermarkColumn == null ? null : JdbcEndpoint.identifier(watermarkColumn, "option 'watermarkColumn'");
        this.sparkOptions = Map.copyOf(sparkOptions);
    }

    @Override
    public String name() {
        return ConnectorUri.redact(endpoint.url()) + (table != null ? "?table=" + table : "?query=...");
    }

    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    /** The relation read, as SQL: the table, or the query as a sub-select, with the {@code where} predicate. */
    String relation() {
        String base = table != null ? table : "(" + query + ") AS kindling_query";
        return where == null ? base : "(SELECT * FROM " + base + " WHERE " + where + ") AS kindling_where";
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        return readRelation(spark, relation());
    }

    private Dataset<Row> readRelation(SparkSession spark, String dbtable) {
        Properties props = endpoint.properties();
        return spark.read().format("jdbc")
                .option("url", endpoint.url())
                .option("dbtable", dbtable)
                .option("fetchsize", "1000")
                .options(sparkOptions)
                .options(toMap(props))
                .load();
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> out = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    @Override
    public String watermarkColumn() {
        if (watermarkColumn == null) {
            throw new ConfigurationException(name() + " has no watermark column: add the option watermarkColumn=COLUMN");
        }
        return watermarkColumn;
    }

    @Override
    public Optional<Watermark> latestWatermark(SparkSession spark) {
        String column = watermarkColumn();
        try (Connection c = endpoint.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(" + column + ") FROM " + relation())) {
            rs.next();
            Object v = rs.getObject(1);
            return v == null ? Optional.empty() : Optional.of(Watermark.fromValue(v));
        } catch (SQLException e) {
            throw sqlFailure("cannot read max(" + column + ") from " + name(), e);
        }
    }

    @Override
    public Dataset<Row> readIncrement(SparkSession spark, Watermark after, Watermark upTo) {
        Objects.requireNonNull(upTo, "upTo");
        String column = watermarkColumn();
        String predicate = column + " <= " + literal(upTo);
        if (after != null) {
            predicate = column + " > " + literal(after) + " AND " + predicate;
        }
        return readRelation(spark, "(SELECT * FROM " + relation() + " WHERE " + predicate + ") AS kindling_increment");
    }

    /** The watermark as a SQL literal; values are rendered from typed data, never from user text. */
    static String literal(Watermark w) {
        return switch (w.kind()) {
            case LONG -> Long.toString(Long.parseLong(w.value()));
            case TIMESTAMP -> "TIMESTAMP '" + Timestamp.from(w.instant().orElseThrow()) + "'";
            case STRING -> "'" + w.value().replace("'", "''") + "'";
        };
    }

    static KindlingException sqlFailure(String what, SQLException e) {
        return dev.kindling.ipp.Failures.fromSql(what, e);
    }

    @Override
    public String toString() {
        return name();
    }
}
