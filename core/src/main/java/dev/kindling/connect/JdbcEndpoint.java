package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.TransientException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where a JDBC source or sink connects: the JDBC URL, the user and the password. Serializable, so
 * that executors can open their own connections; the password is a {@link Secret} and never shown.
 *
 * <pre>{@code
 * JdbcEndpoint db = new JdbcEndpoint("jdbc:postgresql://127.0.0.1:5432/app", "app", Secret.of(System.getenv("PGPASSWORD")));
 * try (Connection c = db.connect()) { ... }
 * }</pre>
 *
 * @param url      the JDBC URL, without Kindling's options
 * @param user     may be null when the URL or driver supplies it
 * @param password may be null
 */
public record JdbcEndpoint(String url, String user, Secret password) implements Serializable {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    public JdbcEndpoint {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:")) {
            throw new ConfigurationException("a JDBC URL starts with jdbc:, as in jdbc:postgresql://host:5432/db; got '"
                    + ConnectorUri.redact(url) + "'");
        }
    }

    /** The properties Spark's JDBC data source and {@link DriverManager} take: user and password. */
    public Properties properties() {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password.reveal());
        }
        return p;
    }

    /**
     * A new connection.
     *
     * @throws TransientException when the database cannot be reached (SQL state class 08)
     * @throws ConfigurationException for other failures, e.g. a wrong password or database name
     */
    public Connection connect() {
        try {
            return DriverManager.getConnection(url, properties());
        } catch (SQLException e) {
            String state = e.getSQLState();
            String message = "cannot connect to " + ConnectorUri.redact(url) + ": " + e.getMessage();
            if (state != null && state.startsWith("08")) {
                throw new TransientException(message, e);
            }
            throw new ConfigurationException(message, e);
        }
    }

    /** Whether this is a PostgreSQL URL. */
    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** Checks that {@code name} is a plain (optionally schema-qualified) SQL identifier, so it can go into SQL text. */
    public static String identifier(String name, String what) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new ConfigurationException(what + " must be a plain SQL identifier (letters, digits, _, optionally schema.name); got '" + name + "'");
        }
        return name;
    }

    @Override
    public String toString() {
        return "JdbcEndpoint[" + ConnectorUri.redact(url) + ", user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
    }
}
