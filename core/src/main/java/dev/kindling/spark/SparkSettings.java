package dev.kindling.spark;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The settings that shape the SparkSession Kindling creates. See {@link SparkSessions} for the precedence.
 *
 * <pre>{@code
 * String master = Settings.fromEnvironment().get(SparkSettings.MASTER);
 * boolean elastic = Settings.fromEnvironment().get(SparkSettings.DYNAMIC_ALLOCATION);   // true unless turned off
 * }</pre>
 *
 * <p><b>On a cluster</b> (any master but {@code local[...]}) a Kindling service lets its executors follow
 * the load: the {@code kindling.spark.dynamic-allocation*} settings below are the defaults of Spark's
 * {@code spark.dynamicAllocation.*} settings, applied by {@link SparkSessions} unless a {@code spark.*}
 * setting names the same Spark key (a {@code --conf}, a properties file, a component's default), which
 * wins. An idle service then holds no executors after {@link #EXECUTOR_IDLE_TIMEOUT}; the first job
 * after an idle spell asks the cluster manager for them again. Executors that hold shuffle files are
 * kept until {@link #SHUFFLE_TRACKING_TIMEOUT}, those that hold cached blocks until
 * {@link #CACHED_EXECUTOR_IDLE_TIMEOUT}. Local Spark ({@code local[*]}, the embedded default) has no
 * executors to give back and gets none of these.
 */
public final class SparkSettings {
    private SparkSettings() {
    }

    /** The Spark master; the embedded default runs Spark inside this JVM on every core. */
    public static final Setting<String> MASTER = Setting.string("spark.master", "local[*]",
            "Spark master URL: local[*], local[N], spark://host:7077, k8s://https://host:443").env("SPARK_MASTER");

    /** A properties file of {@code spark.*} settings. */
    public static final Setting<String> PROPERTIES_FILE = Setting.string("kindling.spark.properties", null,
            "path of a properties file with spark.* settings").env("KINDLING_SPARK_PROPERTIES");

    /** Whether executors follow the load on a cluster: {@code spark.dynamicAllocation.enabled}. */
    public static final Setting<Boolean> DYNAMIC_ALLOCATION = Setting.bool("kindling.spark.dynamic-allocation", true,
            "on a cluster (a master other than local[...]): Spark adds executors when tasks wait and removes idle ones "
                    + "(spark.dynamicAllocation.enabled, with shuffle tracking, so no external shuffle service is needed); "
                    + "false: the executors Spark is given at start, for the whole run");

    /** {@code spark.dynamicAllocation.minExecutors}: 0 lets an idle service hold none. */
    public static final Setting<Integer> MIN_EXECUTORS = Setting.integer("kindling.spark.dynamic-allocation.min-executors", 0,
            0, 100_000, "on a cluster: the executors kept even when idle (spark.dynamicAllocation.minExecutors); "
                    + "0 gives every executor back after the idle timeout");

    /** {@code spark.dynamicAllocation.maxExecutors}. */
    public static final Setting<Integer> MAX_EXECUTORS = Setting.integer("kindling.spark.dynamic-allocation.max-executors",
            Integer.MAX_VALUE, 1, Integer.MAX_VALUE, "on a cluster: the most executors the service asks for "
                    + "(spark.dynamicAllocation.maxExecutors); the default leaves the limit to the cluster");

    /** {@code spark.dynamicAllocation.executorIdleTimeout}. */
    public static final Setting<Duration> EXECUTOR_IDLE_TIMEOUT = Setting.duration(
            "kindling.spark.dynamic-allocation.executor-idle-timeout", Duration.ofSeconds(60),
            "on a cluster: an executor with no task, no shuffle file and no cached block for this long is given back "
                    + "(spark.dynamicAllocation.executorIdleTimeout)");

    /** {@code spark.dynamicAllocation.shuffleTracking.enabled}. */
    public static final Setting<Boolean> SHUFFLE_TRACKING = Setting.bool("kindling.spark.dynamic-allocation.shuffle-tracking", true,
            "on a cluster: keep executors whose shuffle files a job may still read, instead of an external shuffle "
                    + "service (spark.dynamicAllocation.shuffleTracking.enabled)");

    /** {@code spark.dynamicAllocation.shuffleTracking.timeout}: finite, so an idle service gives its executors back. */
    public static final Setting<Duration> SHUFFLE_TRACKING_TIMEOUT = Setting.duration(
            "kindling.spark.dynamic-allocation.shuffle-tracking-timeout", Duration.ofMinutes(10),
            "on a cluster: an idle executor that holds shuffle files is given back after this long even if the files "
                    + "are still referenced (spark.dynamicAllocation.shuffleTracking.timeout; Spark's own default never does)");

    /** {@code spark.dynamicAllocation.cachedExecutorIdleTimeout}: finite, for the same reason. */
    public static final Setting<Duration> CACHED_EXECUTOR_IDLE_TIMEOUT = Setting.duration(
            "kindling.spark.dynamic-allocation.cached-executor-idle-timeout", Duration.ofMinutes(30),
            "on a cluster: an idle executor that holds cached blocks is given back after this long "
                    + "(spark.dynamicAllocation.cachedExecutorIdleTimeout; Spark's own default never does)");
}
