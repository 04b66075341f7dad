package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Runs after {@link PostgresFirstIT} (classes run in name order, see junit-platform.properties). */
@KindlingPostgresTest
class PostgresSecondIT {

  @Test
  void getsAFreshDatabase(PostgresDatabase db) {
    assertThat(PostgresFirstIT.databaseName).isNotNull();
    assertThat(db.databaseName()).isNotEqualTo(PostgresFirstIT.databaseName).endsWith("_postgressecondit");
    assertThat(db.queryForObject("SELECT current_database()", String.class)).isEqualTo(db.databaseName());
    assertThat(db.queryForList(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).isEmpty();
    db.execute("CREATE TABLE people (id INT PRIMARY KEY); INSERT INTO people VALUES (7)");
    assertThat(db.queryForList("SELECT id FROM people")).containsExactly(Map.of("id", 7));
  }

  @Test
  void theFirstClassDatabaseWasDropped(PostgresDatabase db) {
    assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class,
        PostgresFirstIT.databaseName)).isZero();
  }

  @Nested
  class Inner {
    @Test
    void sharesTheOuterClassDatabase(PostgresDatabase db) {
      assertThat(db.databaseName()).endsWith("_postgressecondit");
      List<Map<String, Object>> rows = db.queryForList("SELECT 1 AS one");
      assertThat(rows).containsExactly(Map.of("one", 1));
    }
  }
}
