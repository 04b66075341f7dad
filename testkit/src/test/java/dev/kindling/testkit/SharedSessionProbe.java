package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Table;

/** What the Spark test classes of this JVM saw, to check sharing and cleaning across classes. */
final class SharedSessionProbe {

  static final List<SparkSession> SESSIONS_SEEN = new ArrayList<>();

  private SharedSessionProbe() {}

  static synchronized void assertCleanAndRecord(SparkSession spark) throws Exception {
    assertThat(SESSIONS_SEEN).allSatisfy(seen -> assertThat(seen).isSameAs(spark));
    assertThat(spark.streams().active()).isEmpty();
    assertThat(spark.catalog().currentDatabase()).isEqualTo("default");
    assertThat(spark.catalog().listTables().collectAsList()).extracting(Table::name).isEmpty();
    assertThat(spark.catalog().listTables("global_temp").collectAsList()).extracting(Table::name).isEmpty();
    assertThat(spark.catalog().listDatabases().collectAsList()).extracting(d -> d.name())
        .containsExactly("default");
    SESSIONS_SEEN.add(spark);
  }

  /** Leaves a temp view, a global temp view, a table, a database and a streaming query behind. */
  static void leaveLitter(SparkSession spark, String suffix) throws Exception {
    spark.range(3).createOrReplaceTempView("litter_view_" + suffix);
    spark.range(3).createOrReplaceGlobalTempView("litter_global_" + suffix);
    spark.range(3).write().saveAsTable("litter_table_" + suffix);
    spark.sql("CREATE DATABASE litter_db_" + suffix);
    spark.sql("USE litter_db_" + suffix);
    spark.readStream().format("rate").option("rowsPerSecond", "1").load()
        .writeStream().format("memory").queryName("litter_stream_" + suffix).start();
    assertThat(spark.streams().active()).hasSize(1);
  }
}
