package dev.kindling.ondemand;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.TransientException;
import dev.kindling.service.ControlPlane;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A durable {@link JobStore} on PostgreSQL: one row per job in a table (default {@code kindling_jobs})
 * that it creates when missing.
 *
 * <pre>{@code
 * JobStore store = PostgresJobStore.create(new JdbcEndpoint("jdbc:postgresql://127.0.0.1:5432/app", "app", Secret.of(pw)));
 * }</pre>
 *
 * <p>Thread-safe: each call opens its own connection (job state changes are rare next to Spark work,
 * so no pool is needed). {@link #close()} does nothing; there is nothing held open.
 */
public final class PostgresJobStore implements JobStore {
    private final JdbcEndpoint endpoint;
    private final String table;

    private PostgresJobStore(JdbcEndpoint endpoint, String table) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.table = JdbcEndpoint.identifier(table, "the job store table");
        if (!endpoint.isPostgres()) {
            throw new dev.kindling.ipp.ConfigurationException("the durable job store needs PostgreSQL: a jdbc:postgresql:// URL; got "
                    + endpoint);
        }
    }

    /** A store in the table {@code kindling_jobs}, created when missing. */
    public static PostgresJobStore create(JdbcEndpoint endpoint) {
        return create(endpoint, "kindling_jobs");
    }

    /** A store in {@code table} (a plain SQL identifier), created when missing. */
    public static PostgresJobStore create(JdbcEndpoint endpoint, String table) {
        PostgresJobStore store = new PostgresJobStore(endpoint, table);
        store.createTable();
        return store;
    }

    /** A store from a JDBC URL, user and password (the password may be null). */
    public static PostgresJobStore create(String url, String user, String password) {
        return create(new JdbcEndpoint(url, user, password == null ? null : Secret.of(password)));
    }

    private void createTable() {
        try (Connection c = endpoint.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL, "
                    + "timeout_ms BIGINT NOT NULL, submitted_at TIMESTAMPTZ NOT NULL, started_at TIMESTAMPTZ, "
                    + "finished_at TIMESTAMPTZ, result TEXT, error_type TEXT, error_message TEXT)");
            s.execute("CREATE INDEX IF NOT EXISTS " + table + "_state_idx ON " + table + " (state)");
        } catch (SQLException e) {
            throw failure("create the job table " + table, e);
        }
    }

    @Override
    public void save(StoredJob job) {
        JobStatus s = job.status();
        // A job never moves back: a final state is never overwritten and RUNNING never becomes QUEUED again,
        // whatever order concurrent saves (submitter, worker, canceller) reach the database in.
        String sql = "INSERT INTO " + table + " AS t (id, name, state, params, timeout_ms, submitted_at, started_at, finished_at, "
                + "result, error_type, error_message) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                + "state = EXCLUDED.state, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, "
                + "result = EXCLUDED.result, error_type = EXCLUDED.error_type, error_message = EXCLUDED.error_message "
                + "WHERE t.state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND NOT (t.state = 'RUNNING' AND EXCLUDED.state = 'QUEUED')";
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, s.id());
            p.setString(2, s.name());
            p.setString(3, s.state().name());
            p.setString(4, job.paramsJson());
            p.setLong(5, job.timeoutMillis());
            p.setTimestamp(6, Timestamp.from(s.submittedAt()));
            setInstant(p, 7, s.startedAt());
            setInstant(p, 8, s.finishedAt());
            p.setString(9, s.result() == null ? null : s.result().toString());
            p.setString(10, s.error() == null ? null : s.error().type());
            p.setString(11, s.error() == null ? null : s.error().message());
            p.executeUpdate();
        } catch (SQLException e) {
            throw failure("save job " + s.id(), e);
        }
    }

    @Override
    public List<StoredJob> loadUnfinished() {
        return query("SELECT * FROM " + table + " WHERE state IN ('QUEUED','RUNNING') ORDER BY submitted_at, id", -1);
    }

    @Override
    public List<StoredJob> loadRecent(int limit) {
        return query("SELECT * FROM " + table + " ORDER BY submitted_at DESC, id DESC LIMIT ?", limit);
    }

    private List<StoredJob> query(String sql, int limit) {
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            if (limit >= 0) {
                p.setInt(1, limit);
            }
            List<StoredJob> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read jobs", e);
        }
    }

    private static StoredJob read(ResultSet rs) throws SQLException {
        String result = rs.getString("result");
        JsonNode resultNode;
        try {
            resultNode = result == null ? null : ControlPlane.json().readTree(result);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KindlingException("job " + rs.getString("id") + " has a stored result that is not JSON: " + e.getOriginalMessage(), e);
        }
        String errorType = rs.getString("error_type");
        JobStatus status = new JobStatus(rs.getString("id"), rs.getString("name"), JobState.valueOf(rs.getString("state")),
                instant(rs, "submitted_at"), instant(rs, "started_at"), instant(rs, "finished_at"), Progress.NONE, resultNode,
                errorType == null ? null : new JobError(errorType, String.valueOf(rs.getString("error_message"))));
        return new StoredJob(status, rs.getString("params"), rs.getLong("timeout_ms"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static void setInstant(PreparedStatement p, int index, Instant value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            p.setTimestamp(index, Timestamp.from(value));
        }
    }

    private KindlingException failure(String what, SQLException e) {
        String message = "job store " + endpoint + " could not " + what + ": " + e.getMessage();
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return new TransientException(message, e);
        }
        return new KindlingException(message, e);
    }

    @Override
    public void close() {
        // nothing held open
    }

    @Override
    public String toString() {
        return "PostgresJobStore[" + endpoint + ", table " + table + "]";
    }
}
