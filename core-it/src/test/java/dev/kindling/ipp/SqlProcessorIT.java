package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.KindlingSparkTest;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The SQL processor reads its input as {@code input} wherever the query names it, and leaves the catalog as it was. */
@KindlingSparkTest
class SqlProcessorIT {
    private static List<String> rows(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(Row::toString).toList();
    }

    @Test
    void inputIsReadInSubqueriesJoinsAndAnyCase(SparkSession spark) {
        Dataset<Row> out = Processor.sql("SELECT a.id, (SELECT max(id) FROM INPUT) AS top FROM input a JOIN Input b ON a.id = b.id "
                + "WHERE a.id IN (SELECT id FROM input WHERE id > 0) ORDER BY a.id").process(spark.range(3).toDF());
        assertThat(rows(out)).containsExactly("[1,2]", "[2,2]");
        assertThat(spark.catalog().tableExists("input")).isFalse();
    }

    @Test
    void columnsMayBeQualifiedWithInput(SparkSession spark) {
        assertThat(rows(Processor.sql("SELECT input.id * 2 AS twice FROM input").process(spark.range(2).toDF())))
                .containsExactly("[0]", "[2]");
    }

    @Test
    void aCteNamedInputTakesPrecedenceAsInPlainSpark(SparkSession spark) {
        Dataset<Row> out = Processor.sql("WITH input AS (SELECT 42 AS id) SELECT id FROM input").process(spark.range(3).toDF());
        assertThat(rows(out)).containsExactly("[42]");
        assertThat(spark.catalog().tableExists("input")).isFalse();
    }

    @Test
    void otherCtesStillReadTheInput(SparkSession spark) {
        Dataset<Row> out = Processor.sql("WITH evens AS (SELECT id FROM input WHERE id % 2 = 0) SELECT count(*) AS n FROM evens")
                .process(spark.range(5).toDF());
        assertThat(rows(out)).containsExactly("[3]");
        Dataset<Row> nested = Processor.sql("SELECT id FROM input WHERE id IN (WITH odd AS (SELECT id FROM input WHERE id % 2 = 1) "
                + "SELECT id FROM odd) ORDER BY id").process(spark.range(5).toDF());
        assertThat(rows(nested)).containsExactly("[1]", "[3]");
        assertThat(spark.catalog().tableExists("input")).isFalse();
    }

    @Test
    void twoProcessorsInARowEachReadTheirOwnInput(SparkSession spark) {
        Dataset<Row> first = Processor.sql("SELECT id * 10 AS id FROM input").process(spark.range(3).toDF());
        Dataset<Row> second = Processor.sql("SELECT sum(id) AS total FROM input").process(first);
        assertThat(rows(second)).containsExactly("[30]");
    }
}
