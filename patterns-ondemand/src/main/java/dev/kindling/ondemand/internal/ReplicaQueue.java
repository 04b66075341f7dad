package dev.kindling.ondemand.internal;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore.StoredJob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job queue that replicas share on the PostgreSQL job table: claims with {@code FOR UPDATE SKIP LOCKED}
 * under leases ({@code owner}, {@code lease_until}, by the database's clock), their renewal, requeueing or
 * failing of jobs whose lease ran out, cancel requests, conditional ends, and reads of jobs by id.
 *
 * <p>Every state change is one statement on one row set, so concurrent replicas never both claim a job,
 * and a replica that lost its lease cannot end a job another replica has claimed since. Thread-safe: each
 * call opens its own connection. SQL failures become {@link Failures#fromSql} exceptions.
 */
public final class ReplicaQueue {
    private static final String UNFINISHED = "('RUNNING','CANCELLING')";

    private final JdbcEndpoint endpoint;
    private final String table;

    ReplicaQueue(JdbcEndpoint endpoint, String table) {
        this.endpoint = endpoint;
        this.table = table;
    }

    /** A job this replica has claimed: the row after the claim, and the attempt number it runs as. */
    record Claimed(StoredJob job, int attempt) {
    }

    /** A job this replica holds: its id, the attempt it runs, and its progress now (JSON, may be null). */
    record Held(String id, int attempt, String progressJson) {
    }

    /** What a sweep did to a job whose lease had run out. */
    record Expired(String id, String name, JobState state, int attempts) {
    }

    /** Claims up to {@code max} of the oldest QUEUED jobs named in {@code names} for {@code owner}. */
    List<Claimed> claim(String owner, int max, Collection<String> names, Instant startedAt, Duration lease) {
        String sql = "WITH next AS (SELECT id FROM " + table + " WHERE state = 'QUEUED' AND name = ANY(?) "
                + "ORDER BY submitted_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "UPDATE " + table + " AS t SET state = 'RUNNING', owner = ?, lease_until = clock_timestamp() + make_interval(secs => ?), "
                + "attempts = t.attempts + 1, started_at = ?, finished_at = NULL, cancel_requested = false, progress = NULL, "
                + "attempt_history = t.attempt_history || jsonb_build_array(jsonb_build_object('number', t.attempts + 1, "
                + "'replica', ?::text, 'startedAt', ?::text)) FROM next WHERE t.id = next.id RETURNING t.*";
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setArray(1, c.createArrayOf("text", names.toArray()));
            p.setInt(2, max);
            p.setString(3, owner);
            p.setDouble(4, lease.toMillis() / 1000.0);
            p.setTimestamp(5, Timestamp.from(startedAt));
            p.setString(6, owner);
            p.setString(7, startedAt.toString());
            List<Claimed> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Claimed(PostgresJobStore.read(rs), rs.getInt("attempts")));
                }
            }
            out.sort((a, b) -> a.job().status().submittedAt().compareTo(b.job().status().submittedAt()));
            return out;
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not claim queued jobs", e);
        }
    }

    /**
     * Renews the leases of the jobs {@code owner} holds and saves their progress; returns, for each job whose
     * lease it renewed, whether a cancel was requested. A held job left out lost its lease.
     */
    Map<String, Boolean> heartbeat(String owner, List<Held> held, Duration lease) {
        if (held.isEmpty()) {
            return Map.of();
        }
        String sql = "UPDATE " + table + " AS t SET lease_until = clock_timestamp() + make_interval(secs => ?), "
                + "progress = coalesce(h.progress, t.progress) FROM unnest(?::text[], ?::int[], ?::text[]) AS h(id, attempt, progress) "
                + "WHERE t.id = h.id AND t.owner = ? AND t.attempts = h.attempt AND t.state IN " + UNFINISHED
                + " RETURNING t.id, t.cancel_requested";
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setDouble(1, lease.toMillis() / 1000.0);
            p.setArray(2, c.createArrayOf("text", held.stream().map(Held::id).toArray()));
            p.setArray(3, c.createArrayOf("int4", held.stream().map(Held::attempt).toArray()));
            p.setArray(4, c.createArrayOf("text", held.stream().map(Held::progressJson).toArray()));
            p.setString(5, owner);
            Map<String, Boolean> out = new HashMap<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getBoolean(2));
                }
            }
            return out;
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not renew the leases of " + owner, e);
        }
    }

    /**
     * Ends the leases that ran out: a job with a cancel request becomes CANCELLED, one that has had
     * {@code maxAttempts} attempts FAILED ({@code replica lost}), any other QUEUED again. Its last attempt's
     * outcome becomes {@code replica lost}.
     */
    List<Expired> expire(int maxAttempts) {
        String last = "greatest(attempts, 1) >= " + maxAttempts;
        String sql = "UPDATE " + table + " SET "
                + "state = CASE WHEN cancel_requested THEN 'CANCELLED' WHEN " + last + " THEN 'FAILED' ELSE 'QUEUED' END, "
                + "finished_at = CASE WHEN cancel_requested OR " + last + " THEN clock_timestamp() END, "
                + "started_at = CASE WHEN cancel_requested OR " + last + " THEN started_at END, "
                + "error_type = CASE WHEN NOT cancel_requested AND " + last + " THEN '" + JobError.REPLICA_LOST + "' END, "
                + "error_message = CASE WHEN NOT cancel_requested AND " + last + " THEN 'replica ' || coalesce(owner, '(unknown)') "
                + "|| ' stopped renewing its lease while it ran the job (attempt ' || greatest(attempts, 1) || ' of " + maxAttempts
                + ", kindling.ondemand.max-attempts); submit it again' END, "
                + "attempts = greatest(attempts, 1), lease_until = NULL, cancel_requested = false, result = NULL, "
                + "owner = CASE WHEN cancel_requested OR " + last + " THEN owner END, "
                + "progress = CASE WHEN cancel_requested OR " + last + " THEN progress END, "
                + "attempt_history = CASE WHEN jsonb_array_length(attempt_history) > 0 "
                + "THEN jsonb_set(attempt_history, '{-1,outcome}', '\"" + JobError.REPLICA_LOST + "\"') ELSE attempt_history END "
                + "WHERE state IN " + UNFINISHED + " AND (lease_until IS NULL OR lease_until < clock_timestamp()) "
                + "RETURNING id, name, state, attempts";
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql); ResultSet rs = p.executeQuery()) {
            List<Expired> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Expired(rs.getString(1), rs.getString(2), JobState.valueOf(rs.getString(3)), rs.getInt(4)));
            }
            return out;
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not end the leases that ran out", e);
        }
    }

    /**
     * Saves the end of a job {@code owner} runs as {@code attempt}; false when it no longer holds the lease
     * (another replica requeued, failed or cancelled the job since).
     */
    boolean finish(StoredJob job, String owner, int attempt) {
        JobStatus s = job.status();
        String sql = "UPDATE " + table + " SET state = ?, started_at = ?, finished_at = ?, result = ?, error_type = ?, error_message = ?, "
                + "progress = ?, lease_until = NULL, cancel_requested = false, attempt_history = CASE WHEN jsonb_array_length(attempt_history) > 0 "
                + "THEN jsonb_set(attempt_history, '{-1,outcome}', to_jsonb(?::text)) ELSE attempt_history END "
                + "WHERE id = ? AND owner = ? AND attempts = ? AND state IN " + UNFINISHED;
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, s.state().name());
            PostgresJobStore.setInstant(p, 2, s.startedAt());
            PostgresJobStore.setInstant(p, 3, s.finishedAt());
            p.setString(4, s.result() == null ? null : s.result().toString());
            p.setString(5, s.error() == null ? null : s.error().type());
            p.setString(6, s.error() == null ? null : s.error().message());
            p.setString(7, StoredJson.progress(s.progress()));
            p.setString(8, s.state().name());
            p.setString(9, s.id());
            p.setString(10, owner);
            p.setInt(11, attempt);
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not save job " + s.id() + " as " + s.state(), e);
        }
    }

    /** Puts a job claimed but never started back in the queue (a stopping replica); its claim is taken back. */
    boolean giveBack(String id, String owner, int attempt) {
        return update("UPDATE " + table + " SET state = 'QUEUED', owner = NULL, lease_until = NULL, started_at = NULL, "
                + "attempts = attempts - 1, attempt_history = attempt_history - (-1) WHERE id = ? AND owner = ? AND attempts = ? "
                + "AND state = 'RUNNING'", id, owner, attempt) == 1;
    }

    /** What a cancel found: the job after it, and whether it had not ended yet (false: it had, 409). */
    record Cancel(StoredJob job, boolean requested) {
    }

    /**
     * Cancels: a QUEUED job becomes CANCELLED at once; a running one gets a cancel request, which the replica
     * that runs it reads at its next heartbeat. Returns the job after that, or empty when there is no such job.
     */
    Optional<Cancel> requestCancel(String id, Instant now) {
        String sql = "UPDATE " + table + " SET state = CASE WHEN state = 'QUEUED' THEN 'CANCELLED' ELSE state END, "
                + "finished_at = CASE WHEN state = 'QUEUED' THEN ? ELSE finished_at END, "
                + "cancel_requested = state IN " + UNFINISHED + " WHERE id = ? AND state IN ('QUEUED','RUNNING','CANCELLING')";
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setTimestamp(1, Timestamp.from(now));
            p.setString(2, id);
            boolean requested = p.executeUpdate() == 1;
            return load(id).map(job -> new Cancel(job, requested));
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not cancel job " + id, e);
        }
    }

    /** The job with {@code id}, if the store holds it. */
    Optional<StoredJob> load(String id) {
        List<StoredJob> one = load(List.of(id));
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    /** The jobs with these ids that the store holds. */
    List<StoredJob> load(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement("SELECT * FROM " + table + " WHERE id = ANY(?)")) {
            p.setArray(1, c.createArrayOf("text", ids.toArray()));
            return rows(p);
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not read jobs", e);
        }
    }

    /** A page of jobs, newest first, filtered by state and name (either may be null), and how many match. */
    record Page(List<StoredJob> jobs, int total) {
    }

    Page list(JobState state, String name, int limit, int offset) {
        String where = " WHERE (?::text IS NULL OR state = ?) AND (?::text IS NULL OR name = ?)";
        try (Connection c = endpoint.connect();
             PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + table + where);
             PreparedStatement page = c.prepareStatement("SELECT * FROM " + table + where
                     + " ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?")) {
            String st = state == null ? null : state.name();
            for (PreparedStatement p : List.of(count, page)) {
                p.setString(1, st);
                p.setString(2, st);
                p.setString(3, name);
                p.setString(4, name);
            }
            page.setInt(5, limit);
            page.setInt(6, offset);
            int total;
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                total = rs.getInt(1);
            }
            return new Page(rows(page), total);
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not list jobs", e);
        }
    }

    /** The jobs waiting in the store (all replicas' queue). */
    int countQueued() {
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement("SELECT count(*) FROM " + table
                + " WHERE state = 'QUEUED'"); ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not count queued jobs", e);
        }
    }

    private int update(String sql, String id, String owner, int attempt) {
        try (Connection c = endpoint.connect(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, id);
            p.setString(2, owner);
            p.setInt(3, attempt);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw Failures.fromSql("job store " + endpoint + " could not update job " + id, e);
        }
    }

    private static List<StoredJob> rows(PreparedStatement p) throws SQLException {
        List<StoredJob> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(PostgresJobStore.read(rs));
            }
        }
        return out;
    }
}
