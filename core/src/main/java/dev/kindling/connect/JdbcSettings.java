package dev.kindling.connect;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The limits of Kindling's own JDBC access — job and watermark stores, watermark queries, upserts,
 * the examples' lookups — which goes through a small pool per database ({@link JdbcEndpoint#connect()}).
 * Read from system properties and environment variables when a pool is made.
 *
 * <pre>{@code
 * KINDLING_JDBC_STATEMENT_TIMEOUT=10s KINDLING_JDBC_POOL_SIZE=8 java -jar service.jar
 * }</pre>
 */
public final class JdbcSettings {
    private JdbcSettings() {
    }

    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("kindling.jdbc.connect-timeout", Duration.ofSeconds(5),
            "how long getting a connection may take (from the pool, or a new one from the database) before it fails as "
                    + "transient");

    public static final Setting<Duration> SOCKET_TIMEOUT = Setting.duration("kindling.jdbc.socket-timeout", Duration.ofSeconds(30),
            "how long a read from the database may block (PostgreSQL socketTimeout); a database that hangs fails the call "
                    + "instead of holding its thread");

    public static final Setting<Duration> STATEMENT_TIMEOUT = Setting.duration("kindling.jdbc.statement-timeout",
            Duration.ofSeconds(30), "how long one statement may run (PostgreSQL statement_timeout); it is cancelled after that");

    public static final Setting<Integer> POOL_SIZE = Setting.integer("kindling.jdbc.pool-size", 4, 1, 1000,
            "connections each pool keeps at most (one pool per database, user and JVM)");
}
