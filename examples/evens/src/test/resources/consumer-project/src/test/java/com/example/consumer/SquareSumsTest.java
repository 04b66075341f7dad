package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@KindlingSparkTest
@KindlingPostgresTest
class SquareSumsTest {

    @Test
    void upsertsTheSumOfSquares(SparkSession spark, PostgresDatabase db) {
        db.execute("CREATE TABLE square_sums (n BIGINT PRIMARY KEY, total BIGINT)");
        Map<String, String> login = Map.of("user", db.user(), "password", db.password());
        SquareSums.pipeline(3, db.jdbcUrl(), login).runBatch(spark, 0);
        SquareSums.pipeline(3, db.jdbcUrl(), login).runBatch(spark, 0);
        SquareSums.pipeline(10, db.jdbcUrl(), login).runBatch(spark, 1);
        assertThat(db.queryForList("SELECT n, total FROM square_sums ORDER BY n"))
                .containsExactly(Map.of("n", 3L, "total", 14L), Map.of("n", 10L, "total", 385L));
    }
}
