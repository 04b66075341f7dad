package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

@KindlingSparkTest
class SparkCleanIT {

  @Test
  void cleanClearsTheCacheAndStopsQueries(SparkSession spark) throws Exception {
    Dataset<Row> cached = spark.range(7).toDF();
    cached.cache();
    assertThat(cached.count()).isEqualTo(7L);
    assertThat(cached.storageLevel()).isEqualTo(StorageLevel.MEMORY_AND_DISK());
    SharedSessionProbe.leaveLitter(spark, "clean");

    SparkExtension.clean(spark);

    assertThat(cached.storageLevel()).isEqualTo(StorageLevel.NONE());
    assertThat(spark.streams().active()).isEmpty();
    assertThat(spark.catalog().currentDatabase()).isEqualTo("default");
    assertThat(spark.catalog().listTables().collectAsList()).isEmpty();
    assertThat(spark.catalog().listTables("global_temp").collectAsList()).isEmpty();
    assertThat(spark.catalog().databaseExists("litter_db_clean")).isFalse();
  }
}
