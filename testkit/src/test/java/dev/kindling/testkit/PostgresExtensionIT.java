package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KindlingPostgresTest
@KindlingSparkTest
/** The embedded server: one database per class, reachable through JDBC and Spark. */
class PostgresExtensionIT {

  private static volatile String databaseName;

  private final PostgresDatabase fromConstructor;

  PostgresExtensionIT(PostgresDatabase db) {
    this.fromConstructor = db;
  }

  @BeforeAll
  static void schema(PostgresDatabase db) {
    databaseName = db.databaseName();
    db.execute("CREATE TABLE people (id INT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION)");
    db.update("INSERT INTO people VALUES (?, ?, ?), (?, ?, ?)", 1, "ada", 9.5, 2, "grace", 8.25);
  }

  @Test
  void injectsOneDatabasePerClass(PostgresDatabase db) {
    assertThat(db).isSameAs(fromConstructor);
    assertThat(db.databaseName()).isEqualTo(databaseName).startsWith("kindling_").endsWith("_postgresextensionit");
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + db.port() + "/" + databaseName);
    assertThat(db.user()).isEqualTo("postgres");
    assertThat(db.queryForObject("SELECT current_database()", String.class)).isEqualTo(databaseName);
  }

  @Test
  void readsBackThroughJdbc(PostgresDatabase db) throws Exception {
    assertThat(db.queryForList("SELECT id, name, score FROM people ORDER BY id")).containsExactly(
        Map.of("id", 1, "name", "ada", "score", 9.5),
        Map.of("id", 2, "name", "grace", "score", 8.25));
    assertThat(db.queryForObject("SELECT count(*) FROM people WHERE score > ?", Long.class, 9.0)).isEqualTo(1L);

    List<String> names = new ArrayList<>();
    try (Connection connection = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT name FROM people ORDER BY id")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    assertThat(names).containsExactly("ada", "grace");
  }

  @Test
  void readsAndWritesThroughSpark(SparkSession spark, PostgresDatabase db) {
    List<Row> rows = spark.read().jdbc(db.jdbcUrl(), "people", db.jdbcProperties())
        .orderBy("id").collectAsList();
    assertThat(rows).extracting(r -> r.getInt(0), r -> r.getString(1), r -> r.getDouble(2))
        .containsExactly(tuple(1, "ada", 9.5), tuple(2, "grace", 8.25));

    spark.range(1, 4).selectExpr("CAST(id AS INT) AS id", "id * id AS square")
        .write().jdbc(db.jdbcUrl(), "squares", db.jdbcProperties());
    assertThat(db.queryForList("SELECT id, square FROM squares ORDER BY id")).containsExactly(
        Map.of("id", 1, "square", 1L), Map.of("id", 2, "square", 4L), Map.of("id", 3, "square", 9L));
  }
}
