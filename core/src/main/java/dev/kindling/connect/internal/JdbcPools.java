package dev.kindling.connect.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcSettings;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One small HikariCP pool per database, user and password in this JVM (the driver or an
 * executor), with the timeouts of {@link JdbcSettings}. A pool makes no connection until one is
 * asked for, so a database that is down at start does not fail the start; each request then fails
 * within the connect timeout.
 */
public final class JdbcPools {
    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private JdbcPools() {
    }

    /** The pool of {@code endpoint}, made on first use. */
    public static HikariDataSource of(JdbcEndpoint endpoint) {
        String key = endpoint.url() + "\u0000" + endpoint.user() + "\u0000"
                + (endpoint.password() == null ? "" : Integer.toHexString(endpoint.password().reveal().hashCode()));
        return POOLS.computeIfAbsent(key, k -> create(endpoint, Settings.fromEnvironment()));
    }

    private static HikariDataSource create(JdbcEndpoint endpoint, Settings settings) {
        Duration connect = settings.get(JdbcSettings.CONNECT_TIMEOUT);
        Duration socket = settings.get(JdbcSettings.SOCKET_TIMEOUT);
        Duration statement = settings.get(JdbcSettings.STATEMENT_TIMEOUT);
        HikariConfig c = new HikariConfig();
        c.setPoolName("kindling-jdbc-" + POOLS.size());
        c.setJdbcUrl(endpoint.url());
        endpoint.properties().forEach((k, v) -> c.addDataSourceProperty((String) k, v));
        if (endpoint.isPostgres()) {
            c.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, connect.toSeconds())));
            c.addDataSourceProperty("loginTimeout", Long.toString(Math.max(1, connect.toSeconds())));
            c.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, socket.toSeconds())));
            c.setConnectionInitSql("SET statement_timeout = " + Math.max(1, statement.toMillis()));
        }
        c.setMaximumPoolSize(settings.get(JdbcSettings.POOL_SIZE));
        c.setMinimumIdle(0);
        c.setConnectionTimeout(Math.max(250, connect.toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(connect.toMillis(), 5_000)));
        c.setInitializationFailTimeout(-1);
        c.setIdleTimeout(60_000);
        c.setMaxLifetime(600_000);
        return new HikariDataSource(c);
    }

    /** Closes every pool (tests, and a service that ends without ending its JVM). */
    public static void closeAll() {
        POOLS.values().forEach(HikariDataSource::close);
        POOLS.clear();
    }
}
