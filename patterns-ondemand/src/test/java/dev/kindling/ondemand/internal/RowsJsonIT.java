package dev.kindling.ondemand.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.KindlingSparkTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@KindlingSparkTest
class RowsJsonIT {
    @Test
    void writesEveryTypeAsToJsonDoes(SparkSession spark) {
        Dataset<Row> rows = spark.sql("SELECT id, CAST(id AS INT) AS i, id / 3 AS d, CAST(id / 3 AS DECIMAL(10, 4)) AS dec, "
                + "CAST('NaN' AS DOUBLE) AS nan, IF(id = 1, NULL, 'x\"y') AS s, "
                + "TIMESTAMP '2026-11-27 05:30:00.123456' AS ts, TIMESTAMP_NTZ '2026-11-27 05:30:00' AS ntz, "
                + "DATE '2026-11-27' AS day, X'CAFE' AS bin, id % 2 = 0 AS even, array(id, NULL) AS arr, "
                + "map('k', id) AS m, named_struct('a', id, 'b', NULL) AS st "
                + "FROM range(0, 3)");
        assertThat(RowsJson.first(rows, 10)).isEqualTo(rows.toJSON().collectAsList());
        Dataset<Row> intervals = spark.sql("SELECT INTERVAL '1' DAY AS d, INTERVAL '2' MONTH AS m, array(INTERVAL '3' HOUR) AS a");
        assertThat(RowsJson.first(intervals, 10)).isEqualTo(intervals.toJSON().collectAsList());
    }

    @Test
    void takesAtMostTheFirstRows(SparkSession spark) {
        Dataset<Row> rows = spark.sql("SELECT id FROM range(0, 5) ORDER BY id");
        assertThat(RowsJson.first(rows, 2)).containsExactly("{\"id\":0}", "{\"id\":1}");
        assertThat(RowsJson.first(spark.sql("SELECT id FROM range(0, 0)"), 2)).isEmpty();
    }
}
