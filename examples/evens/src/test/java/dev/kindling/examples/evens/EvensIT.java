package dev.kindling.examples.evens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
class EvensIT {

    @Test
    void countsTheEvenNumbers(SparkSession spark, @TempDir Path dir) {
        assertThat(EvensApp.run(spark, 1000, dir.resolve("a"))).isEqualTo(500);
        assertThat(EvensApp.run(spark, 1, dir.resolve("b"))).isEqualTo(1);
        assertThat(EvensApp.run(spark, 7, dir.resolve("c"))).isEqualTo(4);
    }

    @Test
    void writesTheCountAsJson(SparkSession spark, @TempDir Path dir) {
        EvensApp.run(spark, 10, dir.resolve("out"));
        assertThat(spark.read().json(dir.resolve("out").toString()).toJSON().collectAsList()).containsExactly("{\"evens\":5}");
    }

    @Test
    void aSinkUriThatCannotTakeTheResultIsRefused() {
        assertThatThrownBy(() -> EvensApp.pipeline(10, "range:5")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("scheme 'range:' has no sink");
    }
}
