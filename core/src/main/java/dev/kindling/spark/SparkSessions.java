package dev.kindling.spark;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the SparkSession of a Kindling service. Every {@code spark.*} setting is resolved with
 * one precedence, highest first:
 *
 * <ol>
 *   <li>Java system properties {@code spark.*} — what {@code spark-submit --master/--conf} and
 *       {@code -Dspark.x=y} set;</li>
 *   <li>the environment variable {@code SPARK_MASTER} (for {@code spark.master} only);</li>
 *   <li>{@code spark.*} entries of the Kindling settings file ({@code KINDLING_CONFIG}, see {@link Settings});</li>
 *   <li>the properties file named by {@code KINDLING_SPARK_PROPERTIES} / {@code -Dkindling.spark.properties};</li>
 *   <li>the service's own defaults, passed to {@link #create(String, Map, Settings)};</li>
 *   <li>the embedded default: {@code spark.master=local[*]}.</li>
 * </ol>
 *
 * <p>When the resulting master is not local ({@code spark://...}, {@code k8s://...}, {@code yarn}), the
 * dynamic-allocation defaults of {@link SparkSettings} ({@link #clusterDefaults}) fill in every
 * {@code spark.dynamicAllocation.*} key that none of the sources above set: executors follow the
 * load and an idle service holds none. A source that sets {@code spark.dynamicAllocation.enabled=false}
 * turns them all off.
 *
 * <pre>{@code
 * SparkSession spark = SparkSessions.create("evens", Map.of("spark.sql.shuffle.partitions", "4"), Settings.fromEnvironment());
 * }</pre>
 *
 * <p>Thread-safe; Spark keeps one active session per JVM, so a second call returns a session on the
 * same SparkContext.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** The session for an application named {@code appName}, with no service defaults. */
    public static SparkSession create(String appName) {
        return create(appName, Map.of(), Settings.fromEnvironment());
    }

    /** The session for {@code appName}; see the class javadoc for how the settings combine. */
    public static SparkSession create(String appName, Map<String, String> serviceDefaults, Settings settings) {
        Map<String, String> conf = resolve(appName, serviceDefaults, settings);
        SparkSession.Builder builder = SparkSession.builder();
        conf.forEach(builder::config);
        return builder.getOrCreate();
    }

    /** The {@code spark.*} settings {@link #create} would use, sorted by name; for logs and tests. */
    public static Map<String, String> resolve(String appName, Map<String, String> serviceDefaults, Settings settings) {
        Objects.requireNonNull(appName, "appName");
        Map<String, String> conf = new TreeMap<>();
        conf.put("spark.master", "local[*]");
        conf.put("spark.app.name", appName);
        serviceDefaults.forEach((k, v) -> {
            if (!k.startsWith("spark.")) {
                throw new ConfigurationException("Spark setting '" + k + "' must start with 'spark.'");
            }
            conf.put(k, v);
        });
        String file = settings.get(SparkSettings.PROPERTIES_FILE);
        if (file != null && !file.isBlank()) {
            conf.putAll(load(Path.of(file)));
        }
        conf.putAll(settings.fileWithPrefix("spark."));
        settings.env("SPARK_MASTER").filter(s -> !s.isBlank()).ifPresent(m -> conf.put("spark.master", m));
        conf.putAll(settings.systemPropertiesWithPrefix("spark."));
        boolean turnedOff = "false".equalsIgnoreCase(conf.getOrDefault("spark.dynamicAllocation.enabled", "").trim());
        if (!isLocal(conf.get("spark.master")) && !turnedOff) {
            clusterDefaults(settings).forEach(conf::putIfAbsent);
        }
        return conf;
    }

    /** Whether {@code master} runs Spark inside this JVM ({@code local}, {@code local[N]}, {@code local-cluster[...]}). */
    public static boolean isLocal(String master) {
        return master == null || master.startsWith("local");
    }

    /**
     * The {@code spark.dynamicAllocation.*} defaults a service gets on a cluster, from the
     * {@code kindling.spark.dynamic-allocation*} settings of {@link SparkSettings}; only
     * {@code spark.dynamicAllocation.enabled=false} when dynamic allocation is turned off.
     */
    public static Map<String, String> clusterDefaults(Settings settings) {
        Map<String, String> conf = new TreeMap<>();
        boolean enabled = settings.get(SparkSettings.DYNAMIC_ALLOCATION);
        conf.put("spark.dynamicAllocation.enabled", Boolean.toString(enabled));
        if (!enabled) {
            return conf;
        }
        int min = settings.get(SparkSettings.MIN_EXECUTORS);
        int max = settings.get(SparkSettings.MAX_EXECUTORS);
        if (min > max) {
            throw new ConfigurationException("setting " + SparkSettings.MIN_EXECUTORS.name() + " (" + min + ") is above "
                    + SparkSettings.MAX_EXECUTORS.name() + " (" + max + "); lower the first or raise the second");
        }
        conf.put("spark.dynamicAllocation.minExecutors", Integer.toString(min));
        conf.put("spark.dynamicAllocation.maxExecutors", Integer.toString(max));
        conf.put("spark.dynamicAllocation.executorIdleTimeout", seconds(settings.get(SparkSettings.EXECUTOR_IDLE_TIMEOUT)));
        conf.put("spark.dynamicAllocation.cachedExecutorIdleTimeout",
                seconds(settings.get(SparkSettings.CACHED_EXECUTOR_IDLE_TIMEOUT)));
        conf.put("spark.dynamicAllocation.shuffleTracking.enabled", Boolean.toString(settings.get(SparkSettings.SHUFFLE_TRACKING)));
        conf.put("spark.dynamicAllocation.shuffleTracking.timeout", settings.get(SparkSettings.SHUFFLE_TRACKING_TIMEOUT).toMillis() + "ms");
        return conf;
    }

    /** Spark reads these two timeouts in seconds; a fraction of a second rounds up, so 500ms is 1s, never 0. */
    private static String seconds(java.time.Duration d) {
        long s = (d.toMillis() + 999) / 1000;
        return s + "s";
    }

    private static Map<String, String> load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read the Spark properties file " + file
                    + " (named by KINDLING_SPARK_PROPERTIES): " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (!k.startsWith("spark.")) {
                throw new ConfigurationException("the Spark properties file " + file + " holds '" + k
                        + "', which is not a spark.* setting");
            }
            out.put(k, p.getProperty(k).trim());
        }
        return out;
    }
}
