package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Redactor;
import dev.kindling.ipp.Remote;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A named lease in a PostgreSQL table, which at most one holder has at a time: the leadership of a
 * pipeline among the replicas of a service. Every grant carries a <em>fencing token</em>, a number
 * that grows with each new grant, so that work a holder commits can be refused once somebody else has
 * taken the lease ({@link #checkFence}).
 *
 * <pre>{@code
 * JdbcLease lease = JdbcLease.builder(endpoint, "continuous/ratings").ttl(Duration.ofSeconds(15)).build();
 * Optional<JdbcLease.Grant> grant = lease.tryAcquire();      // empty while another holder's lease runs
 * grant.ifPresent(g -> lease.renew(g));                      // keep it: renew well within the ttl
 * try (Connection c = endpoint.connect()) {                  // commit work only while still the holder
 *     c.setAutoCommit(false);
 *     lease.checkFence(c, grant.get());                      // throws when the token has moved on
 *     ... c.commit();
 * }
 * }</pre>
 *
 * <p>The table ({@code name} primary key, {@code holder}, {@code token}, {@code expires_at}) is created
 * on first use when missing. Expiry is judged by the database's clock, never by the replicas', so
 * replicas whose clocks disagree still agree on who holds the lease. A lease is free when it has never
 * been granted or its {@code expires_at} has passed; taking it increments the token. A renewal succeeds
 * only while the token is still the caller's (even after expiry, as long as nobody took it meanwhile).
 * {@link #checkFence} locks the row {@code FOR SHARE} in the caller's transaction, so a new holder
 * cannot take the lease between the check and the commit: a commit fenced this way is either before
 * the next grant or refused.
 *
 * <p>Thread-safe; every call opens (and returns) a pooled connection. PostgreSQL only.
 */
public final class JdbcLease implements Remote {
    /** The default table of leases. */
    public static final String DEFAULT_TABLE = "kindling_leases";

    /**
     * One grant of the lease.
     *
     * @param holder    who holds it
     * @param token     the fencing token: greater than every earlier grant's
     * @param expiresAt when it runs out unless renewed, by the database's clock
     */
    public record Grant(String holder, long token, Instant expiresAt) {
    }

    /**
     * Who holds (or last held) a lease.
     *
     * @param holder  the holder's id
     * @param token   its fencing token
     * @param expiresAt when it runs out, by the database's clock
     * @param live    whether it had not run out when read
     */
    public record Holder(String holder, long token, Instant expiresAt, boolean live) {
    }

    private final JdbcEndpoint endpoint;
    private final String name;
    private final String table;
    private final String holder;
    private final Duration ttl;
    private volatile boolean tableChecked;

    private JdbcLease(Builder b) {
        this.endpoint = b.endpoint;
        this.name = b.name;
        this.table = b.table;
        this.holder = b.holder;
        this.ttl = b.ttl;
    }

    /** A builder for the lease named {@code name} (1 to 200 characters) in the database at {@code endpoint}. */
    public static Builder builder(JdbcEndpoint endpoint, String name) {
        return new Builder(endpoint, name);
    }

    /** The default id of this process as a holder: the host name (a pod's name on Kubernetes) and the process id. */
    public static String defaultHolderId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "unknown-host";
            }
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    public String name() {
        return name;
    }

    /** This process's id as a holder. */
    public String holderId() {
        return holder;
    }

    public Duration ttl() {
        return ttl;
    }

    /** The database that holds the lease. */
    @Override
    public Dependency dependency() {
        return endpoint.dependency();
    }

    /**
     * Takes the lease when it is free (never granted, or run out), with a new token.
     *
     * @return the grant, or empty while another holder's lease runs
     * @throws KindlingException when the database cannot be asked ({@code TransientException} when unreachable)
     */
    public Optional<Grant> tryAcquire() {
        String sql = "INSERT INTO " + table + " AS l (name, holder, token, expires_at) VALUES (?, ?, 1, now() + ? * interval '1 millisecond') "
                + "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, token = l.token + 1, expires_at = EXCLUDED.expires_at "
                + "WHERE l.expires_at < now() RETURNING token, expires_at";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, holder);
            ps.setLong(3, ttl.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Grant(holder, rs.getLong(1), rs.getTimestamp(2).toInstant())) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Failures.fromSql("cannot ask for the lease '" + name + "' in " + table, e);
        }
    }

    /**
     * Extends {@code grant} by the ttl from now.
     *
     * @return the renewed grant, or empty when the lease has been taken by another holder since
     * @throws KindlingException when the database cannot be asked
     */
    public Optional<Grant> renew(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        String sql = "UPDATE " + table + " SET expires_at = now() + ? * interval '1 millisecond' "
                + "WHERE name = ? AND holder = ? AND token = ? RETURNING expires_at";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, ttl.toMillis());
            ps.setString(2, name);
            ps.setString(3, grant.holder());
            ps.setLong(4, grant.token());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Grant(grant.holder(), grant.token(), rs.getTimestamp(1).toInstant())) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Failures.fromSql("cannot renew the lease '" + name + "' in " + table, e);
        }
    }

    /** Gives {@code grant} up, so that another holder can take the lease at once; does nothing when it is no longer ours. */
    public void release(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        String sql = "UPDATE " + table + " SET expires_at = now() - interval '1 millisecond' WHERE name = ? AND holder = ? AND token = ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, grant.holder());
            ps.setLong(3, grant.token());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Failures.fromSql("cannot release the lease '" + name + "' in " + table, e);
        }
    }

    /** Who holds, or last held, the lease; empty when it was never granted. */
    public Optional<Holder> holder() {
        String sql = "SELECT holder, token, expires_at, expires_at >= now() FROM " + table + " WHERE name = ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Holder(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant(), rs.getBoolean(4)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw Failures.fromSql("cannot read the lease '" + name + "' from " + table, e);
        }
    }

    /**
     * In the caller's open transaction on {@code connection} (to this lease's database): locks the
     * lease's row {@code FOR SHARE} until that transaction ends and checks that {@code grant}'s token is
     * still the current one.
     *
     * @throws LeaseLostException when another holder has taken the lease since {@code grant}
     * @throws SQLException when the database fails; the caller rolls back
     */
    public void checkFence(Connection connection, Grant grant) throws SQLException {
        Objects.requireNonNull(grant, "grant");
        try (PreparedStatement ps = connection.prepareStatement("SELECT holder, token FROM " + table + " WHERE name = ? FOR SHARE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException("the lease '" + name + "' in " + table + " no longer exists; refusing the commit of token " + grant.token());
                }
                long current = rs.getLong(2);
                if (current != grant.token()) {
                    throw new LeaseLostException("the lease '" + name + "' has passed from " + grant.holder() + " (token " + grant.token()
                            + ") to " + rs.getString(1) + " (token " + current + "); refusing a commit made under the old token");
                }
            }
        }
    }

    private Connection connect() throws SQLException {
        Connection c = endpoint.connect();
        if (!tableChecked) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (name VARCHAR(200) PRIMARY KEY, holder VARCHAR(300) NOT NULL, "
                        + "token BIGINT NOT NULL, expires_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            tableChecked = true;
        }
        return c;
    }

    @Override
    public String toString() {
        return "JdbcLease[" + name + " in " + Redactor.redact(endpoint.url()) + " table=" + table + ", holder=" + holder + ", ttl=" + ttl + "]";
    }

    /** Thrown when a holder's grant has been superseded: its work must not be committed. */
    public static final class LeaseLostException extends KindlingException {
        public LeaseLostException(String message) {
            super(message);
        }
    }

    /** Builds a {@link JdbcLease}; setters reject nulls and bad values. */
    public static final class Builder {
        private final JdbcEndpoint endpoint;
        private final String name;
        private String table = DEFAULT_TABLE;
        private String holder = defaultHolderId();
        private Duration ttl = Duration.ofSeconds(15);

        private Builder(JdbcEndpoint endpoint, String name) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.name = Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 200) {
                throw new ConfigurationException("a lease name must be 1 to 200 characters; got '" + name + "'");
            }
        }

        /** The table; default {@value #DEFAULT_TABLE}; a plain or schema-qualified SQL identifier. */
        public Builder table(String table) {
            this.table = JdbcEndpoint.identifier(Objects.requireNonNull(table, "table"), "the lease table");
            return this;
        }

        /** This process's id as a holder; default {@link #defaultHolderId()}; 1 to 300 characters. */
        public Builder holder(String holder) {
            Objects.requireNonNull(holder, "holder");
            if (holder.isBlank() || holder.length() > 300) {
                throw new ConfigurationException("a lease holder id must be 1 to 300 characters; got '" + holder + "'");
            }
            this.holder = holder;
            return this;
        }

        /** How long a grant lasts unless renewed; default 15 s; at least 1 s. */
        public Builder ttl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ConfigurationException("a lease's ttl must be at least 1 s; got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /** @throws ConfigurationException when the endpoint is not PostgreSQL */
        public JdbcLease build() {
            if (!endpoint.isPostgres()) {
                throw new ConfigurationException("leases are kept in PostgreSQL; " + Redactor.redact(endpoint.url()) + " is not a PostgreSQL URL");
            }
            return new JdbcLease(this);
        }
    }
}
