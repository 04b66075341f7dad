package dev.kindling.testkit;

import dev.kindling.testkit.internal.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An empty PostgreSQL database, of its own, on the JVM's embedded PostgreSQL server (or on a
 * {@link PostgresServer} of the test's own, from {@link PostgresServer#createDatabase}), with small
 * JDBC helpers.
 *
 * <pre>{@code
 * @KindlingPostgresTest
 * class UsersIT {
 *   @Test
 *   void stores(PostgresDatabase db) {
 *     db.execute("CREATE TABLE users (id INT PRIMARY KEY, name TEXT)");
 *     db.update("INSERT INTO users VALUES (?, ?)", 1, "ada");
 *     assertThat(db.queryForList("SELECT id, name FROM users"))
 *         .containsExactly(Map.of("id", 1, "name", "ada"));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link PostgresExtension} creates one database per top-level test class
 * (nested classes share their outer class's), when a parameter of this type is first resolved
 * in that class, and drops it when JUnit closes the class's context, after {@code @AfterAll}.
 * The server is started once per JVM. The user is the superuser {@code postgres}; the server
 * trusts local connections, so any password works ({@link #password()} returns {@code
 * "postgres"}). A database of a {@link PostgresServer} lives as long as that server; its helpers
 * fail while the server is stopped and work again after {@link PostgresServer#restart()}.
 *
 * <p><b>Threading.</b> Thread-safe: every helper opens its own connection and closes it before
 * returning; statements auto-commit.
 */
@SuppressWarnings("deprecation") // CloseableResource keeps JUnit before 5.13 dropping the database
public final class PostgresDatabase implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final EmbeddedPostgresServer server;
  private final String name;
  private final DataSource dataSource;

  PostgresDatabase(EmbeddedPostgresServer server, String name) {
    this.server = server;
    this.name = name;
    this.dataSource = server.dataSource(name);
  }

  /**
   * Creates a new empty database on a server.
   *
   * @param server the server
   * @param name the database's name: lower-case letters, digits and underscores
   * @return the database
   */
  static PostgresDatabase create(EmbeddedPostgresServer server, String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("Not a plain PostgreSQL database name: " + name);
    }
    try (Connection connection = server.dataSource("postgres").getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + name + ": " + e.getMessage(), e);
    }
    return new PostgresDatabase(server, name);
  }

  /** The JDBC URL, {@code jdbc:postgresql://localhost:PORT/NAME}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + server.port() + "/" + name;
  }

  /** The user, {@code postgres}. */
  public String user() {
    return EmbeddedPostgresServer.USER;
  }

  /** The password, {@code postgres} (the server trusts local connections). */
  public String password() {
    return "postgres";
  }

  /** The database's name, unique in the JVM, for example {@code kindling_3_usersit}. */
  public String databaseName() {
    return name;
  }

  /** The server's port on {@code localhost}. */
  public int port() {
    return server.port();
  }

  /** A data source for this database (no pool: each connection is a new one). */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * JDBC connection properties ({@code user}, {@code password}, {@code driver}), for example for
   * {@code spark.read().jdbc(db.jdbcUrl(), "users", db.jdbcProperties())}.
   *
   * @return a new mutable {@code Properties}
   */
  public Properties jdbcProperties() {
    Properties properties = new Properties();
    properties.setProperty("user", user());
    properties.setProperty("password", password());
    properties.setProperty("driver", "org.postgresql.Driver");
    return properties;
  }

  /**
   * Opens a new connection; the caller closes it.
   *
   * @return the connection, in auto-commit mode
   * @throws IllegalStateException when the connection fails
   */
  public Connection connection() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot connect to " + jdbcUrl() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs SQL without parameters; several statements separated by {@code ;} are allowed.
   *
   * @param sql the SQL, for example DDL
   * @throws IllegalStateException when it fails; the message holds the SQL
   */
  public void execute(String sql) {
    Objects.requireNonNull(sql, "sql");
    try (Connection connection = connection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw failure(sql, e);
    }
  }

  /**
   * Runs one INSERT, UPDATE or DELETE with {@code ?} parameters.
   *
   * @param sql the statement
   * @param parameters the parameters, bound with {@code setObject}
   * @return the number of rows changed
   */
  public int update(String sql, Object... parameters) {
    Objects.requireNonNull(sql, "sql");
    try (Connection connection = connection();
        PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw failure(sql, e);
    }
  }

  /**
   * Runs a query and returns all rows.
   *
   * @param sql the query, with {@code ?} parameters
   * @param parameters the parameters, bound with {@code setObject}
   * @return one map per row, column label (lower-case, as PostgreSQL reports it) to value as
   *     JDBC returns it ({@code getObject}); columns keep their order
   */
  public List<Map<String, Object>> queryForList(String sql, Object... parameters) {
    Objects.requireNonNull(sql, "sql");
    try (Connection connection = connection();
        PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet resultSet = statement.executeQuery()) {
      ResultSetMetaData metaData = resultSet.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (resultSet.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int column = 1; column <= metaData.getColumnCount(); column++) {
          row.put(metaData.getColumnLabel(column), resultSet.getObject(column));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw failure(sql, e);
    }
  }

  /**
   * Runs a query that returns one row of one column.
   *
   * @param sql the query, with {@code ?} parameters
   * @param type the expected Java type, for example {@code Long.class}
   * @param parameters the parameters
   * @param <T> the type
   * @return the value, may be null
   * @throws IllegalStateException when the query does not return exactly one row
   */
  public <T> T queryForObject(String sql, Class<T> type, Object... parameters) {
    Objects.requireNonNull(type, "type");
    try (Connection connection = connection();
        PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet resultSet = statement.executeQuery()) {
      if (!resultSet.next()) {
        throw new IllegalStateException("No row from: " + sql);
      }
      T value = resultSet.getObject(1, type);
      if (resultSet.next()) {
        throw new IllegalStateException("More than one row from: " + sql);
      }
      return value;
    } catch (SQLException e) {
      throw failure(sql, e);
    }
  }

  /** Drops the database (terminating its open connections). Called by the extension. */
  @Override
  public void close() {
    try (Connection connection = server.dataSource("postgres").getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot drop database " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "PostgresDatabase[" + jdbcUrl() + "]";
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object[] parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  private IllegalStateException failure(String sql, SQLException e) {
    return new IllegalStateException("SQL failed on " + name + ": " + e.getMessage() + "\n  " + sql, e);
  }
}
