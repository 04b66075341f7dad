package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
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

    /**
     * The endpoint of a JDBC connector URI: the URL with the driver's own parameters ({@code sslmode},
     * {@code connectTimeout}, ... and options named {@code driver.NAME}) kept in it, and the user and
     * password taken from {@code options}. Query parameters named in {@code kindlingOptions} are
     * Kindling's, not the driver's, and are left out of the URL.
     *
     * <pre>{@code
     * ConnectorUri uri = ConnectorUri.parse("jdbc:postgresql://db:5432/app?sslmode=require&table=t&user=app&password.env=PGPW");
     * JdbcEndpoint e = JdbcEndpoint.of(uri, Options.merge(uri, Map.of()), Set.of("table", "user", "password", "password.env"));
     * e.url();   // jdbc:postgresql://db:5432/app?sslmode=require
     * }</pre>
     */
    public static JdbcEndpoint of(ConnectorUri uri, Options options, java.util.Set<String> kindlingOptions) {
        String text = uri.text();
        int q = text.indexOf('?');
        String base = q < 0 ? text : text.substring(0, q);
        java.util.Map<String, String> driverParams = new java.util.LinkedHashMap<>();
        uri.query().forEach((k, v) -> {
            if (!kindlingOptions.contains(k) && !k.startsWith("driver.") && !k.startsWith("password.")) {
                driverParams.put(k, v);
            }
        });
        options.withPrefix("driver.").forEach((k, v) -> driverParams.put(k.substring("driver.".length()), v));
        StringBuilder url = new StringBuilder(base);
        char sep = '?';
        for (java.util.Map.Entry<String, String> e : driverParams.entrySet()) {
            url.append(sep).append(java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8)).append('=')
                    .append(java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8));
            sep = '&';
        }
        return new JdbcEndpoint(url.toString(), options.get("user").orElse(null), options.secret("password").orElse(null));
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
     * A connection from this endpoint's pool (close it to give it back): the pool and its timeouts are
     * {@link JdbcSettings}'s. Reads block at most the socket timeout, statements run at most the
     * statement timeout (PostgreSQL).
     *
     * @throws dev.kindling.ipp.TransientException when the database cannot be reached in the connect timeout
     * @throws ConfigurationException when it refuses the user, password or database name (SQL state classes 28, 3D)
     */
    public Connection connect() {
        try {
            return dev.kindling.connect.internal.JdbcPools.of(this).getConnection();
        } catch (SQLException e) {
            String message = "cannot connect to " + ConnectorUri.redact(url);
            SQLException cause = dev.kindling.ipp.Failures.find(e.getCause() == null ? e : e.getCause(), SQLException.class).orElse(e);
            String state = cause.getSQLState();
            if (state != null && (state.startsWith("28") || state.startsWith("3D"))) {
                throw new ConfigurationException(message + ": " + cause.getMessage(), e);
            }
            throw new dev.kindling.ipp.TransientException(message + ": " + (cause.getMessage() == null ? e.getMessage() : cause.getMessage()), e);
        }
    }

    /**
     * The database as a {@link dev.kindling.ipp.Dependency}, named {@code "database URL"} (without secrets): a
     * check borrows a pooled connection and asks whether it is valid, within the connect timeout and 2 s.
     */
    public dev.kindling.ipp.Dependency dependency() {
        return dev.kindling.connect.internal.DependencyProbes.jdbc(this);
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
