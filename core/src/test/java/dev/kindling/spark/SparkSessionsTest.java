package dev.kindling.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
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
        Map<String, String> expected = new TreeMap<>(CLUSTER_DEFAULTS);
        expected.putAll(Map.of(
                "spark.app.name", "app",
                "spark.master", "spark://127.0.0.1:7077",
                "spark.sql.shuffle.partitions", "3",
                "spark.ui.enabled", "false",
                "spark.executor.memory", "2g"));
        assertThat(conf).isEqualTo(expected);
    }

    /** What a service gets on a cluster when nothing is set: executors follow the load, none are held while idle. */
    private static final Map<String, String> CLUSTER_DEFAULTS = Map.of(
            "spark.dynamicAllocation.enabled", "true",
            "spark.dynamicAllocation.minExecutors", "0",
            "spark.dynamicAllocation.maxExecutors", "2147483647",
            "spark.dynamicAllocation.executorIdleTimeout", "60s",
            "spark.dynamicAllocation.cachedExecutorIdleTimeout", "1800s",
            "spark.dynamicAllocation.shuffleTracking.enabled", "true",
            "spark.dynamicAllocation.shuffleTracking.timeout", "600000ms");

    @Test
    void onAClusterDynamicAllocationIsTheDefault() {
        for (String master : new String[] {"spark://10.0.0.1:7077", "k8s://https://kubernetes.default.svc", "yarn"}) {
            Map<String, String> expected = new TreeMap<>(CLUSTER_DEFAULTS);
            expected.put("spark.master", master);
            expected.put("spark.app.name", "app");
            assertThat(SparkSessions.resolve("app", Map.of(), Settings.from(Map.of(), Map.of("SPARK_MASTER", master))))
                    .as(master).isEqualTo(expected);
        }
        for (String master : new String[] {"local", "local[2]", "local[*]", "local-cluster[2,1,1024]"}) {
            assertThat(SparkSessions.resolve("app", Map.of(), Settings.from(Map.of("spark.master", master), Map.of())))
                    .as(master).isEqualTo(Map.of("spark.master", master, "spark.app.name", "app"));
        }
    }

    @Test
    void kindlingSettingsChangeTheDefaultsAndAnExplicitSparkKeyWinsOverThem() {
        Map<String, String> env = Map.of("SPARK_MASTER", "spark://10.0.0.1:7077",
                "KINDLING_SPARK_DYNAMIC_ALLOCATION_MIN_EXECUTORS", "1",
                "KINDLING_SPARK_DYNAMIC_ALLOCATION_MAX_EXECUTORS", "4",
                "KINDLING_SPARK_DYNAMIC_ALLOCATION_EXECUTOR_IDLE_TIMEOUT", "1500ms",
                "KINDLING_SPARK_DYNAMIC_ALLOCATION_SHUFFLE_TRACKING_TIMEOUT", "2m",
                "KINDLING_SPARK_DYNAMIC_ALLOCATION_CACHED_EXECUTOR_IDLE_TIMEOUT", "5m");
        Map<String, String> submitted = Map.of("spark.dynamicAllocation.maxExecutors", "8");   // spark-submit --conf
        Map<String, String> conf = SparkSessions.resolve("app", Map.of("spark.dynamicAllocation.executorIdleTimeout", "20s"),
                Settings.from(submitted, env));
        assertThat(conf).isEqualTo(Map.of(
                "spark.app.name", "app",
                "spark.master", "spark://10.0.0.1:7077",
                "spark.dynamicAllocation.enabled", "true",
                "spark.dynamicAllocation.minExecutors", "1",
                "spark.dynamicAllocation.maxExecutors", "8",
                "spark.dynamicAllocation.executorIdleTimeout", "20s",
                "spark.dynamicAllocation.cachedExecutorIdleTimeout", "300s",
                "spark.dynamicAllocation.shuffleTracking.enabled", "true",
                "spark.dynamicAllocation.shuffleTracking.timeout", "120000ms"));
        assertThat(SparkSessions.clusterDefaults(Settings.of(Map.of("kindling.spark.dynamic-allocation.executor-idle-timeout", "1500ms"))))
                .containsEntry("spark.dynamicAllocation.executorIdleTimeout", "2s");
    }

    @Test
    void turnedOffItLeavesTheExecutorsToSpark() {
        Map<String, String> env = Map.of("SPARK_MASTER", "spark://10.0.0.1:7077", "KINDLING_SPARK_DYNAMIC_ALLOCATION", "false");
        assertThat(SparkSessions.resolve("app", Map.of(), Settings.from(Map.of(), env))).isEqualTo(Map.of(
                "spark.app.name", "app", "spark.master", "spark://10.0.0.1:7077", "spark.dynamicAllocation.enabled", "false"));
        Map<String, String> withConf = Map.of("spark.dynamicAllocation.enabled", "false");
        assertThat(SparkSessions.resolve("app", Map.of(), Settings.from(withConf, Map.of("SPARK_MASTER", "spark://h:7077"))))
                .as("--conf spark.dynamicAllocation.enabled=false turns the Kindling defaults off").isEqualTo(Map.of(
                        "spark.app.name", "app", "spark.master", "spark://h:7077", "spark.dynamicAllocation.enabled", "false"));
    }

    @Test
    void minAboveMaxIsRefusedNamingBoth() {
        Settings s = Settings.of(Map.of("kindling.spark.dynamic-allocation.min-executors", "5",
                "kindling.spark.dynamic-allocation.max-executors", "2"));
        assertThatThrownBy(() -> SparkSessions.clusterDefaults(s)).isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.spark.dynamic-allocation.min-executors (5) is above "
                        + "kindling.spark.dynamic-allocation.max-executors (2); lower the first or raise the second");
    }

    @Test
    void everyDynamicAllocationSettingIsInTheReferenceWithItsDefault() {
        assertThat(Settings.settingsOf(SparkSettings.class)).extracting(s -> s.name() + " $" + s.env() + " = " + s.defaultValue())
                .containsExactly(
                        "spark.master $SPARK_MASTER = local[*]",
                        "kindling.spark.properties $KINDLING_SPARK_PROPERTIES = null",
                        "kindling.spark.dynamic-allocation $KINDLING_SPARK_DYNAMIC_ALLOCATION = true",
                        "kindling.spark.dynamic-allocation.min-executors $KINDLING_SPARK_DYNAMIC_ALLOCATION_MIN_EXECUTORS = 0",
                        "kindling.spark.dynamic-allocation.max-executors $KINDLING_SPARK_DYNAMIC_ALLOCATION_MAX_EXECUTORS = 2147483647",
                        "kindling.spark.dynamic-allocation.executor-idle-timeout $KINDLING_SPARK_DYNAMIC_ALLOCATION_EXECUTOR_IDLE_TIMEOUT = PT1M",
                        "kindling.spark.dynamic-allocation.shuffle-tracking $KINDLING_SPARK_DYNAMIC_ALLOCATION_SHUFFLE_TRACKING = true",
                        "kindling.spark.dynamic-allocation.shuffle-tracking-timeout $KINDLING_SPARK_DYNAMIC_ALLOCATION_SHUFFLE_TRACKING_TIMEOUT = PT10M",
                        "kindling.spark.dynamic-allocation.cached-executor-idle-timeout "
                                + "$KINDLING_SPARK_DYNAMIC_ALLOCATION_CACHED_EXECUTOR_IDLE_TIMEOUT = PT30M");
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
