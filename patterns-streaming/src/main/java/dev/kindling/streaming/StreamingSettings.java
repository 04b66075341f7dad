package dev.kindling.streaming;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The settings of the stream processing pattern. Each is read with {@link dev.kindling.config.Settings}'
 * precedence: system property, environment variable, {@code KINDLING_CONFIG} file, default.
 *
 * <pre>{@code
 * Settings s = Settings.fromEnvironment();
 * StreamingRunner runner = StreamingRunner.fromSettings(Connectors.builtIn(), s);
 * }</pre>
 */
public final class StreamingSettings {
    private StreamingSettings() {
    }

    public static final Setting<String> NAME = Setting.string("kindling.streaming.name", "stream",
            "The query name: in logs, metrics tags and /status. Letters, digits, '_' and '-'.");

    public static final Setting<String> SOURCE = Setting.string("kindling.streaming.source", null,
            "The source URI, e.g. kafka://127.0.0.1:9092/words. Required when the runner is built from configuration.");

    public static final Setting<String> SQL = Setting.string("kindling.streaming.sql", null,
            "The SQL processor; the decoded input is the view 'input'. Unset: the input is published as it is.");

    public static final Setting<String> SINK = Setting.string("kindling.streaming.sink", null,
            "The sink URI: kafka://..., jdbc:postgresql://...?table=t&mode=upsert&keys=k, file:/path?format=parquet, "
                    + "table:NAME?keys=a,b (queryable over HTTP) or console:. Required when built from configuration.");

    public static final Setting<String> CHECKPOINT = Setting.string("kindling.streaming.checkpoint", null,
            "The checkpoint folder (local path or Hadoop URI). Required unless every part of the query can do without one.");

    public static final Setting<String> TRIGGER = Setting.string("kindling.streaming.trigger", "5s",
            "When micro-batches start: an interval (500ms, 5s, 1m), 'fast' (one after another) or 'available-now'.");

    public static final Setting<String> OUTPUT_MODE = Setting.string("kindling.streaming.output-mode", "auto",
            "Spark's output mode; 'auto' = update when the processor aggregates, append otherwise.")
            .oneOf("auto", "append", "update", "complete");

    public static final Setting<String> DECODE = Setting.string("kindling.streaming.decode", "none",
            "How the 'value' column is decoded before the processor: none (as read), text (UTF-8 -> column value), "
                    + "json (with kindling.streaming.schema). Records that fail go to the dead letters.")
            .oneOf("none", "text", "json");

    public static final Setting<String> SCHEMA = Setting.string("kindling.streaming.schema", null,
            "The DDL schema of JSON values, e.g. 'word STRING NOT NULL, n INT'; NOT NULL fields are required.");

    public static final Setting<String> DEAD_LETTERS = Setting.string("kindling.streaming.dead-letters", null,
            "Where undecodable records go: a kafka://, jdbc:, file: or table: URI. Unset: such records are dropped and counted.");

    public static final Setting<Duration> RESTART_INITIAL_BACKOFF = Setting.duration("kindling.streaming.restart.initial-backoff",
            Duration.ofSeconds(1), "The wait before the first restart of a failed query; doubled on each further failure.");

    public static final Setting<Duration> RESTART_MAX_BACKOFF = Setting.duration("kindling.streaming.restart.max-backoff",
            Duration.ofMinutes(1), "The longest wait between restarts of a failed query.");

    public static final Setting<Integer> RESTART_MAX_ATTEMPTS = Setting.integer("kindling.streaming.restart.max-attempts", 10, 0,
            Integer.MAX_VALUE, "Restarts in a row without a successful batch before the runner gives up (state FAILED). 0: never restart.");

    public static final Setting<Duration> LAG_INTERVAL = Setting.duration("kindling.streaming.lag.interval", Duration.ofSeconds(5),
            "How often the Kafka consumer lag is computed from the broker's latest offsets.");

    public static final Setting<Integer> TABLE_MAX_LIMIT = Setting.integer("kindling.streaming.table.max-limit", 1000, 1, 1_000_000,
            "The largest 'limit' a GET /tables/{name} request may ask for.");
}
