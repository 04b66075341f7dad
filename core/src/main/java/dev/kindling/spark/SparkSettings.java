package dev.kindling.spark;

import dev.kindling.config.Setting;

/**
 * The settings that shape the SparkSession Kindling creates. See {@link SparkSessions} for the precedence.
 *
 * <pre>{@code
 * String master = Settings.fromEnvironment().get(SparkSettings.MASTER);
 * }</pre>
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
}
