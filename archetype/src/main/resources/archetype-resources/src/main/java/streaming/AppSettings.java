package ${package};

import dev.kindling.config.Setting;

/**
 * This service's settings, read from the environment (or system properties) by {@code Settings}.
 *
 * <pre>{@code
 * APP_SOURCE=kafka://127.0.0.1:9092/words APP_CHECKPOINT=/var/lib/words mvn -q compile exec:exec
 * }</pre>
 */
public final class AppSettings {
    private AppSettings() {
    }

    public static final Setting<String> SOURCE = Setting.string("app.source", "file:data/incoming?format=text",
            "the streaming source of text lines: file:FOLDER?format=text or kafka://HOST:9092/TOPIC");

    public static final Setting<String> CHECKPOINT = Setting.string("app.checkpoint", "data/checkpoint",
            "the checkpoint folder: offsets, the counts' state and the table's snapshots");

    public static final Setting<String> TRIGGER = Setting.string("app.trigger", "2s",
            "how often a micro-batch starts: an interval (500ms, 2s) or 'fast'");
}
