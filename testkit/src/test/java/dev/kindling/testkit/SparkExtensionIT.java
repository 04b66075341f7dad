package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@KindlingSparkTest
/** The shared session: injected everywhere, configured for tests, clean at the start of every class. */
class SparkExtensionIT {

  private final SparkSession fromConstructor;

  SparkExtensionIT(SparkSession spark) {
    this.fromConstructor = spark;
  }

  @BeforeAll
  static void startsClean(SparkSession spark) throws Exception {
    SharedSessionProbe.assertCleanAndRecord(spark);
  }

  @Test
  void injectsOneSessionEverywhere(SparkSession spark) {
    assertThat(spark).isSameAs(fromConstructor).isSameAs(SharedSessionProbe.SESSIONS_SEEN.get(SharedSessionProbe.SESSIONS_SEEN.size() - 1));
  }

  @Test
  void configuresTheSessionForTests(SparkSession spark) {
    assertThat(spark.sparkContext().master()).isEqualTo("local[2]");
    assertThat(spark.conf().get("spark.ui.enabled")).isEqualTo("false");
    assertThat(spark.conf().get("spark.sql.shuffle.partitions")).isEqualTo("2");
    assertThat(spark.conf().get("spark.sql.session.timeZone")).isEqualTo("UTC");
    assertThat(spark.conf().get("spark.sql.warehouse.dir")).contains("kindling-spark-warehouse-");
  }

  @Test
  void runsQueries(SparkSession spark) {
    List<Row> rows = spark.range(10).selectExpr("id % 2 AS parity").groupBy("parity").count()
        .orderBy("parity").collectAsList();
    assertThat(rows).extracting(r -> r.getLong(0), r -> r.getLong(1))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 5L),
            org.assertj.core.groups.Tuple.tuple(1L, 5L));
  }

}
