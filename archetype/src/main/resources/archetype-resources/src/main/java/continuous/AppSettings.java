package ${package};

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * This service's settings, read from the environment (or system properties) by {@code Settings}.
 *
 * <pre>{@code
 * APP_LANDING=/data/landing APP_OUTPUT=/data/orders APP_INTERVAL=1m mvn -q compile exec:exec
 * }</pre>
 */
public final class AppSettings {
    private AppSettings() {
    }

    public static final Setting<String> LANDING = Setting.string("app.landing", "data/landing",
            "the folder where JSON-lines order files are dropped");

    public static final Setting<String> OUTPUT = Setting.string("app.output", "data/orders",
            "the folder of the Parquet output (and Spark's list of the files written, _spark_metadata)");

    public static final Setting<String> CHECKPOINT = Setting.string("app.checkpoint", "data/checkpoint",
            "Spark's checkpoint folder: which files were read");

    public static final Setting<Duration> INTERVAL = Setting.duration("app.interval", Duration.ofSeconds(10),
            "the pause between two cycles");
}
