package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * What the extensions promise across test classes, checked in one test: two fixture classes run in a
 * JUnit engine of their own, in a fixed order; the second finds the shared SparkSession cleaned of
 * what the first left behind, and a fresh database while the first one's is gone.
 */
class ClassIsolationIT {
  private static final AtomicReference<SparkSession> FIRST_SESSION = new AtomicReference<>();
  private static final AtomicReference<String> FIRST_DATABASE = new AtomicReference<>();

  @Test
  void theSecondClassFindsACleanSessionAndAFreshDatabase() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.testclass.order.default", ClassOrderer.OrderAnnotation.class.getName())
        .selectors(selectClass(LeavesLitter.class), selectClass(FindsItCleaned.class))
        .execute();
    results.testEvents().failed().stream().forEach(e -> {
      throw new AssertionError(e.getTestDescriptor().getDisplayName() + " failed",
          e.getPayload(org.junit.platform.engine.TestExecutionResult.class).flatMap(r -> r.getThrowable()).orElse(null));
    });
    results.testEvents().assertStatistics(s -> s.started(4).succeeded(4).failed(0));
  }

  /** The first class: writes a table, views, a database and a streaming query, and a table in its database. */
  @Order(1)
  @KindlingSparkTest
  @KindlingPostgresTest
  static class LeavesLitter {
    @Test
    void leavesLitterInTheSession(SparkSession spark) throws Exception {
      FIRST_SESSION.set(spark);
      SharedSessionProbe.leaveLitter(spark, "isolation");
    }

    @Test
    void writesToItsDatabase(PostgresDatabase db) {
      FIRST_DATABASE.set(db.databaseName());
      db.execute("CREATE TABLE people (id INT PRIMARY KEY); INSERT INTO people VALUES (1)");
    }
  }

  /** The second class: sees none of it. */
  @Order(2)
  @KindlingSparkTest
  @KindlingPostgresTest
  static class FindsItCleaned {
    @Test
    void getsTheSameSessionCleaned(SparkSession spark) throws Exception {
      assertThat(spark).isSameAs(FIRST_SESSION.get());
      assertThat(spark.streams().active()).isEmpty();
      assertThat(spark.catalog().currentDatabase()).isEqualTo("default");
      assertThat(spark.catalog().tableExists("litter_view_isolation")).isFalse();
      assertThat(spark.catalog().tableExists("litter_table_isolation")).isFalse();
      assertThat(spark.catalog().databaseExists("litter_db_isolation")).isFalse();
      SharedSessionProbe.leaveLitter(spark, "isolation");
    }

    @Test
    void getsAFreshDatabaseAndTheFirstIsDropped(PostgresDatabase db) {
      assertThat(db.databaseName()).isNotEqualTo(FIRST_DATABASE.get()).endsWith("_findsitcleaned");
      assertThat(db.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).isEmpty();
      assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, FIRST_DATABASE.get()))
          .isZero();
      db.execute("CREATE TABLE people (id INT PRIMARY KEY); INSERT INTO people VALUES (7)");
      assertThat(db.queryForList("SELECT id FROM people")).containsExactly(Map.of("id", 7));
    }
  }
}
