package dev.kindling.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSessionsTest {
    @TempDir
    Path dir;

    @Test
    void embeddedDefaultIsLocalOnEveryCore() {
        assertThat(SparkSessions.resolve("app", Map.of(), Settings.from(Map.of(), Map.of())))
                .isEqualTo(Map.of("spark.master", "local[*]", "spark.app.name", "app"));
    }

    @Test
    void precedenceFromServiceDefaultsToSystemProperties() throws Exception {
        Path props = dir.resolve("spark.properties");
        Files.writeString(props, "spark.master=local[1]\nspark.sql.shuffle.partitions=3\nspark.executor.memory=1g\n");
        Map<String, String> env = Map.of("KINDLING_SPARK_PROPERTIES", props.toString(), "SPARK_MASTER", "spark://127.0.0.1:7077");
        Map<String, String> sys = Map.of("spark.executor.memory", "2g");
        Map<String, String> conf = SparkSessions.resolve("app", Map.of("spark.sql.shuffle.partitions", "8", "spark.ui.enabled", "false"),
                Settings.from(sys, env));
        assertThat(conf).isEqualTo(Map.of(
                "spark.app.name", "app",
                "spark.master", "spark://127.0.0.1:7077",
                "spark.sql.shuffle.partitions", "3",
                "spark.ui.enabled", "false",
                "spark.executor.memory", "2g"));
    }

    @Test
    void rejectsNonSparkKeys() throws Exception {
        Path props = dir.resolve("bad.properties");
        Files.writeString(props, "shuffle=3\n");
        assertThatThrownBy(() -> SparkSessions.resolve("app", Map.of(), Settings.from(Map.of(), Map.of("KINDLING_SPARK_PROPERTIES", props.toString()))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'shuffle', which is not a spark.* setting");
        assertThatThrownBy(() -> SparkSessions.resolve("app", Map.of("ui", "x"), Settings.of(Map.of())))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must start with 'spark.'");
    }
}
