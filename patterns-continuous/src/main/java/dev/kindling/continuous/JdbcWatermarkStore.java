package dev.kindling.continuous;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Redactor;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.Watermark;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link WatermarkStore} in a database table, one row per pipeline:
 *
 * <pre>{@code
 * JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint, "modeler")
 *         .table("kindling_watermarks")                      // default
 *         .inSameTransaction((connection, committing) -> {   // optional: more writes committed with the watermark
 *             try (var ps = connection.prepareStatement("INSERT INTO models (version) VALUES (?)")) {
 *                 ps.setLong(1, committing.batchId());
 *                 ps.executeUpdate();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>The table ({@code pipeline} primary key, {@code batch_id}, {@code watermark},
 * {@code committed_at}) is created on first use when missing. A commit is one transaction: it
 * locks the pipeline's row ({@code SELECT ... FOR UPDATE}), checks that the stored batch id is
 * smaller than the new one, runs the {@link TransactionStep}s, writes the row and commits — so the
 * extra writes are saved if and only if the watermark is. A commit made for a replica that leads
 * under a {@link JdbcLease} ({@link #commit(CommittedBatch, JdbcLease, JdbcLease.Grant)}) also checks,
 * in the same transaction and before anything else is written, that the grant is still the lease's
 * current one, so a replica that lost the lease can never commit. Thread-safe; every call opens its own
 * connection. A failure is a {@link dev.kindling.ipp.TransientException} when its SQL state says it
 * may pass (see {@link Failures#fromSql}), so the runner retries the cycle after a backoff.
 */
public final class JdbcWatermarkStore implements WatermarkStore, Remote {
    /** More work done in the commit's transaction, after the fencing check and before the commit. */
    @FunctionalInterface
    public interface TransactionStep {
        void run(Connection connection, CommittedBatch committing) throws SQLException;
    }

    private final JdbcEndpoint endpoint;
    private final String table;
    private final String pipeline;
    private final List<TransactionStep> steps;
    private volatile boolean tableChecked;

    private JdbcWatermarkStore(Builder b) {
        this.endpoint = b.endpoint;
        this.table = b.table;
        this.pipeline = b.pipeline;
        this.steps = List.copyOf(b.steps);
    }

    /** A builder for the progress of {@code pipeline} (the row key) in the database at {@code endpoint}. */
    public static Builder builder(JdbcEndpoint endpoint, String pipeline) {
        return new Builder(endpoint, pipeline);
    }

    @Override
    public String name() {
        return Redactor.redact(endpoint.url()) + " table=" + table + " pipeline=" + pipeline;
    }

    /** The database that holds the watermarks. */
    @Override
    public Dependency dependency() {
        return endpoint.dependency();
    }

    public String table() {
        return table;
    }

    /** The database that holds the watermarks (and, with replicas, the lease of the pipeline). */
    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    private void ensureTable(Connection c) throws SQLException {
        if (tableChecked) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (pipeline VARCHAR(200) PRIMARY KEY, batch_id BIGINT NOT NULL, "
                    + "watermark VARCHAR(4000) NOT NULL, committed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        tableChecked = true;
    }

    @Override
    public Optional<CommittedBatch> load() {
        try (Connection c = endpoint.connect()) {
            ensureTable(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT batch_id, watermark, committed_at FROM " + table + " WHERE pipeline = ?")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(progressOf(rs));
                }
            }
        } catch (SQLException e) {
            throw Failures.fromSql("cannot read the progress of '" + pipeline + "' from " + table, e);
        }
    }

    private CommittedBatch progressOf(ResultSet rs) throws SQLException {
        try {
            return new CommittedBatch(rs.getLong(1), Watermark.parse(rs.getString(2)), rs.getTimestamp(3).toInstant());
        } catch (RuntimeException e) {
            throw new ConfigurationException("the progress row of '" + pipeline + "' in " + table + " is damaged: " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(CommittedBatch progress) {
        commit(progress, null, null);
    }

    /**
     * Saves {@code progress} only while {@code grant} is the current grant of {@code lease}, which must be
     * kept in this store's database: {@link JdbcLease#checkFence} runs in the commit's transaction, after
     * the pipeline's row is locked and before the batch id check and the {@link TransactionStep}s.
     *
     * <pre>{@code
     * store.commit(new CommittedBatch(8, Watermark.ofLong(4_100), Instant.now()), lease, grant);
     * }</pre>
     *
     * @throws JdbcLease.LeaseLostException when another holder has taken the lease since {@code grant}; nothing is saved
     * @throws KindlingException as {@link #commit(CommittedBatch)}
     */
    public void commit(CommittedBatch progress, JdbcLease lease, JdbcLease.Grant grant) {
        Objects.requireNonNull(progress, "progress");
        if ((lease == null) != (grant == null)) {
            throw new IllegalArgumentException("a fenced commit needs both the lease and the grant");
        }
        try (Connection c = endpoint.connect()) {
            ensureTable(c);
            c.setAutoCommit(false);
            try {
                Long stored = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT batch_id FROM " + table + " WHERE pipeline = ? FOR UPDATE")) {
                    ps.setString(1, pipeline);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            stored = rs.getLong(1);
                        }
                    }
                }
                if (lease != null) {
                    lease.checkFence(c, grant);
                }
                if (stored != null && stored >= progress.batchId()) {
                    throw new KindlingException("batch " + stored + " of '" + pipeline + "' is already committed in " + table
                            + "; refusing to commit batch " + progress.batchId() + " (is a second runner using this pipeline name?)");
                }
                for (TransactionStep step : steps) {
                    step.run(c, progress);
                }
                String sql = stored == null
                        ? "INSERT INTO " + table + " (batch_id, watermark, committed_at, pipeline) VALUES (?, ?, ?, ?)"
                        : "UPDATE " + table + " SET batch_id = ?, watermark = ?, committed_at = ? WHERE pipeline = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, progress.batchId());
                    ps.setString(2, progress.watermark().serialize());
                    ps.setTimestamp(3, Timestamp.from(progress.committedAt()));
                    ps.setString(4, pipeline);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Failures.fromSql("cannot commit batch " + progress.batchId() + " of '" + pipeline + "' to " + table, e);
        }
    }

    @Override
    public String toString() {
        return name();
    }

    /** Builds a {@link JdbcWatermarkStore}; setters reject nulls and bad identifiers. */
    public static final class Builder {
        private final JdbcEndpoint endpoint;
        private final String pipeline;
        private String table = "kindling_watermarks";
        private final List<TransactionStep> steps = new ArrayList<>();

        private Builder(JdbcEndpoint endpoint, String pipeline) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
            if (pipeline.isBlank() || pipeline.length() > 200) {
                throw new ConfigurationException("the pipeline name of a JDBC watermark store must be 1 to 200 characters; got '" + pipeline + "'");
            }
        }

        /** The table; default {@code kindling_watermarks}; a plain or schema-qualified SQL identifier. */
        public Builder table(String table) {
            this.table = JdbcEndpoint.identifier(Objects.requireNonNull(table, "table"), "the watermark table");
            return this;
        }

        /** Adds work to every commit's transaction; steps run in the order added. */
        public Builder inSameTransaction(TransactionStep step) {
            steps.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        public JdbcWatermarkStore build() {
            return new JdbcWatermarkStore(this);
        }
    }
}
