package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.connect.JdbcEndpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server of the test's own: stopped, every connection is refused; started again, its data is there. */
class PostgresServerIT {

  @Test
  void keepsItsPortAndDataAcrossStopsAndRestarts() {
    Path data;
    try (PostgresServer server = PostgresServer.start()) {
      data = server.dataDirectory();
      int port = server.port();
      PostgresDatabase db = server.createDatabase("notes");
      assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + port + "/notes").isEqualTo(server.jdbcUrl("notes"));
      db.execute("CREATE TABLE notes (id INT PRIMARY KEY, text TEXT NOT NULL)");
      db.update("INSERT INTO notes VALUES (?, ?), (?, ?)", 1, "before", 2, "the stop");

      server.stop();
      assertThat(server.isRunning()).isFalse();
      assertThat(server.toString()).isEqualTo("PostgresServer[localhost:" + port + ", stopped]");
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Connection to localhost:" + port + " refused")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
      assertThatThrownBy(() -> db.queryForList("SELECT * FROM notes"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Cannot connect to " + db.jdbcUrl());
      server.stop(); // stopped already: nothing to do

      server.restart();
      assertThat(server.isRunning()).isTrue();
      assertThat(server.port()).isEqualTo(port);
      assertThat(server.dataDirectory()).isEqualTo(data);
      assertThat(db.queryForList("SELECT id, text FROM notes ORDER BY id"))
          .containsExactly(Map.of("id", 1, "text", "before"), Map.of("id", 2, "text", "the stop"));
      db.update("INSERT INTO notes VALUES (?, ?)", 3, "after");

      server.restart(); // a running server is stopped first
      assertThat(db.queryForObject("SELECT string_agg(text, ',' ORDER BY id) FROM notes", String.class))
          .isEqualTo("before,the stop,after");

      server.close();
      assertThat(server.isRunning()).isFalse();
      assertThat(data).doesNotExist();
      assertThatThrownBy(server::restart)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("The embedded PostgreSQL server on port " + port + " is closed");
    }
  }

  @Test
  void aServiceClosesTheServerItStartedWithoutAShutdownHookAndReachesItsDatabaseByItsEndpoint() throws SQLException {
    Path data;
    try (PostgresServer server = PostgresServer.startWithoutShutdownHook()) {
      data = server.dataDirectory();
      JdbcEndpoint endpoint = server.jdbcEndpoint("postgres");
      assertThat(endpoint.url()).isEqualTo(server.jdbcUrl("postgres"));
      assertThat(endpoint.user()).isEqualTo("postgres");
      assertThat(endpoint.password()).isNull();
      try (Connection c = DriverManager.getConnection(endpoint.url(), endpoint.user(), null);
          ResultSet r = c.createStatement().executeQuery("SELECT current_database(), current_user")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("postgres");
        assertThat(r.getString(2)).isEqualTo("postgres");
      }
      server.close();
      assertThat(server.isRunning()).isFalse();
    }
    assertThat(data).doesNotExist();
  }
}
