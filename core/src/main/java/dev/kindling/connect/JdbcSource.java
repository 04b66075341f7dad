package dev.kindling.connect;

import dev.kindling.config.Setting;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.Watermark;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
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
 * {@code max(watermarkColumn)} over a pooled JDBC connection — no Spark job — and {@link #readIncrement} sends
 * {@code WHERE column > after AND column <= upTo} to the database.
 *
 * <p>Watermarks are carried in UTC from end to end, whatever the JVM's or the database session's time zone: a
 * {@code TIMESTAMP} column (no zone) is read as its wall-clock value and taken as UTC, and its bounds are written
 * back as that same wall-clock value; a {@code TIMESTAMP WITH TIME ZONE} column is read as an instant and its bounds
 * are written with the offset {@code +00:00}. The bounds are rendered from typed values only (digits, a formatted
 * date-time); a string watermark that holds a quote, a backslash or a control character is refused rather than
 * escaped, because databases disagree on how to escape them.
 *
 * <p>{@code lookback} (a whole number for a numeric column, a duration such as {@code 5m} for a timestamp one)
 * makes each increment read again the rows up to that margin below the committed watermark, for tables whose rows
 * become visible out of order (a transaction that commits after a later one). The rows read again must be absorbed
 * by the sink: a continuous runner takes a source with a lookback only with a sink that
 * {@linkplain dev.kindling.ipp.Sink#upsertsByKey() upserts by key}.
 */
public final class JdbcSource implements BatchReadable, IncrementalReadable, Remote {
    private final JdbcEndpoint endpoint;
    private final String table;
    private final String query;
    private final String where;
    private final String watermarkColumn;
    private final String lookback;
    private final Map<String, String> sparkOptions;
    /** Whether the watermark column holds instants (with a zone), learnt from the database once; null until then. */
    private volatile Boolean instantColumn;

    /**
     * @param table           a table name, or null when {@code query} is given
     * @param query           a SELECT, or null when {@code table} is given
     * @param where           an extra predicate, or null
     * @param watermarkColumn the incremental column, or null
     * @param sparkOptions    further options for Spark's JDBC reader (fetchsize, partitionColumn, ...)
     */
    public JdbcSource(JdbcEndpoint endpoint, String table, String query, String where, String watermarkColumn,
                      Map<String, String> sparkOptions) {
        this(endpoint, table, query, where, watermarkColumn, null, sparkOptions);
    }

    /**
     * @param lookback a margin below the committed watermark read again by each increment (a whole number, or a
     *                 duration such as {@code 5m}), or null for none
     * @see #JdbcSource(JdbcEndpoint, String, String, String, String, Map)
     */
    public JdbcSource(JdbcEndpoint endpoint, String table, String query, String where, String watermarkColumn, String lookback,
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
        this.lookback = lookback == null || lookback.isBlank() ? null : lookback.trim();
        if (this.lookback != null) {
            if (watermarkColumn == null) {
                throw new ConfigurationException("the JDBC source option 'lookback' needs the option 'watermarkColumn'");
            }
            if (this.lookback.chars().allMatch(Character::isDigit)) {
                long margin = Long.parseLong(this.lookback);
                if (margin < 1) {
                    throw new ConfigurationException("the JDBC source option 'lookback' must be at least 1; got " + margin);
                }
            } else {
                try {
                    Setting.parseDuration(this.lookback);
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("the JDBC source option 'lookback' is a whole number (a numeric watermark "
                            + "column) or a duration such as 5m (a timestamp one); got '" + this.lookback + "'", e);
                }
            }
        }
    }

    @Override
    public Optional<String> lookback() {
        return Optional.ofNullable(lookback);
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
            return Optional.ofNullable(watermarkOf(rs));
        } catch (SQLException e) {
            throw sqlFailure("cannot read max(" + column + ") from " + name(), e);
        }
    }

    /** The watermark in the first column of the current row, or null; a timestamp in UTC, whatever the zones. */
    private Watermark watermarkOf(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        if (isTimestamp(md)) {
            boolean instants = withZone(md);
            instantColumn = instants;
            if (instants) {
                OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
                return t == null ? null : Watermark.ofInstant(t.toInstant());
            }
            LocalDateTime wallClock = rs.getObject(1, LocalDateTime.class);
            return wallClock == null ? null : Watermark.ofInstant(wallClock.toInstant(ZoneOffset.UTC));
        }
        Object v = rs.getObject(1);
        return v == null ? null : Watermark.fromValue(v);
    }

    private static boolean isTimestamp(ResultSetMetaData md) throws SQLException {
        int type = md.getColumnType(1);
        return type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE;
    }

    private static boolean withZone(ResultSetMetaData md) throws SQLException {
        String name = String.valueOf(md.getColumnTypeName(1)).toLowerCase(Locale.ROOT);
        return md.getColumnType(1) == Types.TIMESTAMP_WITH_TIMEZONE || name.contains("tz") || name.contains("with time zone");
    }

    /** Whether the watermark column holds instants; asked of the database (no rows read) when not known yet. */
    private boolean instantColumn() {
        Boolean known = instantColumn;
        if (known != null) {
            return known;
        }
        String column = watermarkColumn();
        try (Connection c = endpoint.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + column + " FROM " + relation() + " WHERE 1 = 0")) {
            boolean instants = isTimestamp(rs.getMetaData()) && withZone(rs.getMetaData());
            instantColumn = instants;
            return instants;
        } catch (SQLException e) {
            throw sqlFailure("cannot read the type of " + column + " in " + name(), e);
        }
    }

    @Override
    public Dataset<Row> readIncrement(SparkSession spark, Watermark after, Watermark upTo) {
        Objects.requireNonNull(upTo, "upTo");
        String column = watermarkColumn();
        boolean instants = upTo.kind() == Watermark.Kind.TIMESTAMP && instantColumn();
        String predicate = column + " <= " + literal(upTo, instants);
        if (after != null) {
            predicate = column + " > " + literal(lowerBound(after), instants) + " AND " + predicate;
        }
        return readRelation(spark, "(SELECT * FROM " + relation() + " WHERE " + predicate + ") AS kindling_increment");
    }

    /** {@code after}, less the lookback when there is one. */
    Watermark lowerBound(Watermark after) {
        if (lookback == null) {
            return after;
        }
        boolean number = lookback.chars().allMatch(Character::isDigit);
        return switch (after.kind()) {
            case LONG -> {
                if (!number) {
                    throw new ConfigurationException(name() + ": the watermark column " + watermarkColumn + " is numeric, so "
                            + "'lookback' is a whole number of ids; got '" + lookback + "'");
                }
                long a = Long.parseLong(after.value());
                long margin = Long.parseLong(lookback);
                yield Watermark.ofLong(a < Long.MIN_VALUE + margin ? Long.MIN_VALUE : a - margin);
            }
            case TIMESTAMP -> {
                if (number) {
                    throw new ConfigurationException(name() + ": the watermark column " + watermarkColumn + " holds timestamps, "
                            + "so 'lookback' is a duration such as 5m; got '" + lookback + "'");
                }
                Duration margin = Setting.parseDuration(lookback);
                yield Watermark.ofInstant(after.instant().orElseThrow().minus(margin));
            }
            case STRING -> throw new ConfigurationException(name() + ": 'lookback' needs a numeric or timestamp watermark "
                    + "column; " + watermarkColumn + " holds strings");
        };
    }

    private static final DateTimeFormatter WALL_CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

    /**
     * The watermark as a SQL literal, rendered from typed values only: digits, a date-time formatted in UTC (as the
     * column's wall clock, or with the offset +00:00 for a column with a zone), or a string with no character that
     * databases escape differently.
     *
     * @throws KindlingException for a string that holds a quote, a backslash or a control character
     */
    static String literal(Watermark w, boolean instantColumn) {
        return switch (w.kind()) {
            case LONG -> Long.toString(Long.parseLong(w.value()));
            case TIMESTAMP -> {
                String utc = LocalDateTime.ofInstant(w.instant().orElseThrow(), ZoneOffset.UTC).format(WALL_CLOCK);
                yield instantColumn ? "TIMESTAMP WITH TIME ZONE '" + utc + "+00:00'" : "TIMESTAMP '" + utc + "'";
            }
            case STRING -> {
                String v = w.value();
                if (v.chars().anyMatch(ch -> ch == '\'' || ch == '\\' || ch < 0x20 || ch == 0x7f)) {
                    throw new KindlingException("the string watermark '" + v.replaceAll("[\\p{Cntrl}]", "?") + "' holds a quote, "
                            + "a backslash or a control character, which is not put into SQL (databases escape them "
                            + "differently); use a numeric or timestamp watermark column");
                }
                yield "'" + v + "'";
            }
        };
    }

    static KindlingException sqlFailure(String what, SQLException e) {
        return dev.kindling.ipp.Failures.fromSql(what, e);
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
