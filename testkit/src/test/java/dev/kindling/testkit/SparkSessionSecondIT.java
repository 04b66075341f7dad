package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs after {@link SparkSessionFirstIT} (classes run in name order, see junit-platform.properties). */
@KindlingSparkTest
class SparkSessionSecondIT {

  @BeforeAll
  static void startsCleanAfterTheFirstClass(SparkSession spark) throws Exception {
    assertThat(SharedSessionProbe.SESSIONS_SEEN).hasSize(1);
    SharedSessionProbe.assertCleanAndRecord(spark);
  }

  @Test
  void getsTheSameSessionAsTheFirstClass(SparkSession spark) {
    assertThat(SharedSessionProbe.SESSIONS_SEEN).hasSize(2);
    assertThat(spark).isSameAs(SharedSessionProbe.SESSIONS_SEEN.get(0));
  }

  @Test
  void canReuseTheNamesTheFirstClassUsed(SparkSession spark) throws Exception {
    assertThat(spark.catalog().tableExists("litter_view_first")).isFalse();
    assertThat(spark.catalog().tableExists("litter_table_first")).isFalse();
    assertThat(spark.catalog().databaseExists("litter_db_first")).isFalse();
    SharedSessionProbe.leaveLitter(spark, "first");
  }
}
