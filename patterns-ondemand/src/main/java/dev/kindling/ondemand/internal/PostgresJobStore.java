package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Options;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Remote;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobProgress;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The durable {@link JobStore} on PostgreSQL: one row per job in a table (default {@code kindling_jobs})
 * that it creates when missing. Made by {@link JobStore#postgres}.
 *
 * <pre>{@code
 * JobStore store = JobStore.postgres(new JdbcEndpoint("jdbc:postgresql://127.0.0.1:5432/app", "app", Secret.of(pw)));
 * }</pre>
 *
 * <p>Thread-safe: each call opens its own connection (job state changes are rare next to Spark work,
 * so no pool is needed). {@link #close()} does nothing; there is nothing held open. SQL failures become
 * {@link Failures#fromSql} exceptions: transient ones (connection lost, server restarting) are retried by the service.
 */
public final class PostgresJobStore implements JobStore, Remote {
    private final JdbcEndpoint endpoint;
    private final String table;

    private PostgresJobStore(JdbcEndpoint endpoint, String table) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.table = JdbcEndpoint.identifier(table, "the job store table");
        if (!endpoint.isPostgres()) {
            throw new ConfigurationException("the durable job store needs PostgreSQL: a jdbc:postgresql:// URL; got " + endpoint);
        }
    }

    /** The database that holds the jobs. */
    @Override
    public Dependency dependency() {
        return endpoint.dependency();
    }

    /** A store in {@code table} (a plain SQL identifier), created when missing. */
    /** The database the store is in. */
    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    public static PostgresJobStore create(JdbcEndpoint endpoint, String table) {
        PostgresJobStore store = new PostgresJobStore(endpoint, table);
        store.createTable();
        return store;
    }

    /**
     * The store the settings name ({@link OnDemandSettings#STORE_URL}, {@code _USER}, {@code _PASSWORD},
     * {@code _TABLE}), or null when no URL is set. The URL keeps its driver parameters ({@code sslmode}, ...);
     * a user or password given in the URL ({@code user=}, {@code password.env=}) is used when the settings give none.
     *
     * @throws ConfigurationException when the URL is not PostgreSQL or the database cannot be used
     */
    public static PostgresJobStore fromSettings(Settings settings) {
        String url = settings.get(OnDemandSettings.STORE_URL);
        if (url == null || url.isBlank()) {
            return null;
        }
        ConnectorUri uri = ConnectorUri.parse(url.trim());
        Map<String, String> explicit = new LinkedHashMap<>();
        String user = settings.get(OnDemandSettings.STORE_USER);
        if (user != null && !user.isBlank()) {
            explicit.put("user", user);
        }
        String password = settings.get(OnDemandSettings.STORE_PASSWORD);
        if (password != null) {
            explicit.put("password", password);
        }
        Map<String, String> merged = new LinkedHashMap<>(uri.query());
        if (explicit.containsKey("password")) {
            merged.keySet().removeIf(k -> k.startsWith("password"));
        }
        merged.putAll(explicit);
        JdbcEndpoint endpoint = JdbcEndpoint.of(uri, Options.of(merged), Set.of("user", "password", "password.env", "password.file"));
        return create(endpoint, settings.get(OnDemandSettings.STORE_TABLE));
    }

    private void createTable() {
        try (Connection c = endpoint.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL, "
                    + "timeout_ms BIGINT NOT NULL, submitted_at TIMESTAMPTZ NOT NULL, started_at TIMESTAMPTZ, "
                    + "finished_at TIMESTAMPTZ, result TEXT, error_type TEXT, error_message TEXT)");
            s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS submitted_by TEXT");
            // replicas: who runs the job and until when its claim holds, how often it was claimed, cancel requests, progress
            s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS owner TEXT, ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ, "
                    + "ADD COLUMN IF NOT EXISTS attempts INT NOT NULL DEFAULT 0, "
                    + "ADD COLUMN IF NOT EXISTS attempt_history JSONB NOT NULL DEFAULT '[]'::jsonb, "
                    + "ADD COLUMN IF NOT EXISTS cancel_requested BOOLEAN NOT NULL DEFAULT false, ADD COLUMN IF NOT EXISTS progress TEXT");
            s.execute("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_state_idx ON " + table + " (state)");
            s.execute("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_queue_idx ON " + table + " (submitted_at, id) "
                    + "WHERE state = 'QUEUED'");
            s.execute("CREATE INDEX IF NOT EXISTS " + table.replace('.', '_') + "_finished_idx ON " + table + " (finished_at)");
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not create the job table " + table, e);
        }
    }

    /**
     * The upsert of one job. A job never moves back: a final state is never overwritten and RUNNING never becomes
     * QUEUED again, whatever order concurrent saves (submitter, worker, canceller) reach the database in.
     */
    private String upsert() {
        return "INSERT INTO " + table + " AS t (id, name, state, params, timeout_ms, submitted_at, started_at, finished_at, "
                + "result, error_type, error_message, submitted_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                + "state = EXCLUDED.state, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, "
                + "result = EXCLUDED.result, error_type = EXCLUDED.error_type, error_message = EXCLUDED.error_message "
                + "WHERE t.state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND NOT (t.state = 'RUNNING' AND EXCLUDED.state = 'QUEUED')";
    }

    @Override
    public void save(StoredJob job) {
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(upsert())) {
            bind(p, job);
            p.executeUpdate();
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not save job " + job.status().id() + " as " + job.status().state(), e);
        }
    }

    /** One transaction: one round trip for the batch, and all or none of the jobs saved. */
    @Override
    public void saveAll(List<StoredJob> jobs) {
        if (jobs.size() == 1) {
            save(jobs.get(0));
            return;
        }
        try (Connection c = endpoint.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(upsert())) {
                for (StoredJob job : jobs) {
                    bind(p, job);
                    p.addBatch();
                }
                p.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not save " + jobs.size() + " submitted jobs", e);
        }
    }

    private static void bind(PreparedStatement p, StoredJob job) throws SQLException {
        JobStatus s = job.status();
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
        p.setString(12, s.trigger());
    }

    @Override
    public List<StoredJob> loadUnfinished() {
        return query("SELECT * FROM " + table + " WHERE state IN ('QUEUED','RUNNING','CANCELLING') ORDER BY submitted_at, id", -1);
    }

    @Override
    public List<StoredJob> loadRecent(int limit) {
        return query("SELECT * FROM " + table + " ORDER BY submitted_at DESC, id DESC LIMIT ?", limit);
    }

    @Override
    public int prune(Instant endedBefore) {
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement("DELETE FROM " + table
                + " WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND finished_at < ?")) {
            setInstant(p, 1, endedBefore);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not delete the jobs that ended before " + endedBefore, e);
        }
    }

    @Override
    public void ping() {
        // the table itself, not only the server: a table held locked by another session (a migration, a stuck
        // transaction) blocks every save, and this read then fails by the statement timeout as the saves would
        try (Connection c = endpoint.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT 1 FROM " + table + " LIMIT 1");
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " does not answer", e);
        }
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
            throw Failures.fromSql("job store " + endpoint + " could not read jobs", e);
        }
    }

    /**
     * The replicas' queue on this store: claims under leases, cancel requests, reads of single jobs. Every
     * {@code JobService} on a PostgreSQL store uses it, one replica or several.
     */
    public ReplicaQueue replicaQueue() {
        return new ReplicaQueue(endpoint, table);
    }

    /** A row as a stored job (its attempts and progress included, a requested cancel of a running job shown as CANCELLING). */
    static StoredJob read(ResultSet rs) throws SQLException {
        String result = rs.getString("result");
        JsonNode resultNode;
        try {
            resultNode = result == null ? null : Json.mapper().readTree(result);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KindlingException("job " + rs.getString("id") + " has a stored result that is not JSON: " + e.getOriginalMessage(), e);
        }
        String errorType = rs.getString("error_type");
        String trigger = rs.getString("submitted_by");
        JobState state = JobState.valueOf(rs.getString("state"));
        if (state == JobState.RUNNING && rs.getBoolean("cancel_requested")) {
            state = JobState.CANCELLING;
        }
        JobStatus status = new JobStatus(rs.getString("id"), rs.getString("name"), state,
                trigger == null ? JobStatus.HTTP : trigger, instant(rs, "submitted_at"), instant(rs, "started_at"),
                instant(rs, "finished_at"), StoredJson.progress(rs.getString("progress")), resultNode,
                errorType == null ? null : new JobError(errorType, String.valueOf(rs.getString("error_message"))), null,
                StoredJson.attempts(rs.getString("attempt_history")));
        return new StoredJob(status, rs.getString("params"), rs.getLong("timeout_ms"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static void setInstant(PreparedStatement p, int index, Instant value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            p.setTimestamp(index, Timestamp.from(value));
        }
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
