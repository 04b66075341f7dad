package dev.kindling.streaming;

import dev.kindling.config.Setting;
import dev.kindling.service.Backoff;
import java.time.Duration;

/**
 * The settings of the stream processing pattern. Each is read with {@link dev.kindling.config.Settings}'
 * precedence: system property, environment variable, {@code KINDLING_CONFIG} file, default. The
 * configuration-only service ({@code KINDLING_PATTERN=streaming}, see {@link StreamingRunner#fromSettings}) reads
 * all of them; a runner built in code reads only {@link #BACKOFF_INITIAL}, {@link #BACKOFF_MAX} and
 * {@link #TABLE_MAX_LIMIT} from its service's settings, and only when its builder does not set them (in code, a
 * lease is given with {@link StreamingRunner.Builder#lease}).
 *
 * <pre>{@code
 * // KINDLING_PATTERN=streaming KINDLING_STREAMING_SOURCE=kafka://127.0.0.1:9092/words KINDLING_STREAMING_SINK=...
 * StreamingRunner runner = StreamingRunner.fromSettings(Settings.fromEnvironment());
 * }</pre>
 */
public final class StreamingSettings {
    private StreamingSettings() {
    }

    public static final Setting<String> NAME = Setting.string("kindling.streaming.name", "stream",
            "The runner's and its query's name: the key in /status, the pipeline tag of the metrics. Letters, digits, '_' and '-'.");

    public static final Setting<String> SOURCE = Setting.string("kindling.streaming.source", null,
            "The source URI, e.g. kafka://127.0.0.1:9092/words (kafka.* options in the query reach the consumer and the lag client). "
                    + "Required.");

    public static final Setting<String> SQL = Setting.string("kindling.streaming.sql", null,
            "The SQL processor; the decoded input is the view 'input'. Unset: the input is published as it is.");

    public static final Setting<String> SINK = Setting.string("kindling.streaming.sink", null,
            "The sink URI: kafka://..., jdbc:postgresql://...?table=t&mode=upsert&keys=k, file:/path?format=parquet, "
                    + "table:NAME?keys=a,b (queryable over HTTP) or console:. Required.");

    public static final Setting<String> CHECKPOINT = Setting.string("kindling.streaming.checkpoint", null,
            "The checkpoint folder (local path or Hadoop URI). Required unless every part of the query can do without one.");

    public static final Setting<String> TRIGGER = Setting.string("kindling.streaming.trigger", "auto",
            "How the query runs: 'auto' (real-time mode when the query is stateless, reads and writes Kafka and finds a free task "
                    + "slot per input partition; else a micro-batch every 5s), 'real-time' (or fail), 'auto:2s' / 'real-time:2s' "
                    + "(the checkpoint interval), a micro-batch interval (500ms, 5s, 1m), 'fast' or 'available-now'.");

    public static final Setting<String> OUTPUT_MODE = Setting.string("kindling.streaming.output-mode", "auto",
            "Spark's output mode; 'auto' = append when Spark accepts it, else update.")
            .oneOf("auto", "append", "update", "complete");

    public static final Setting<String> DECODE = Setting.string("kindling.streaming.decode", "none",
            "How the 'value' column is decoded before the processor: none (as read), text (UTF-8 -> column value), "
                    + "json (with kindling.streaming.schema). Records that fail go to the dead letters.")
            .oneOf("none", "text", "json");

    public static final Setting<String> SCHEMA = Setting.string("kindling.streaming.schema", null,
            "The DDL schema of JSON values, e.g. 'word STRING NOT NULL, n INT'; NOT NULL fields are required. "
                    + "Required with decode=json, refused otherwise.");

    public static final Setting<String> DEAD_LETTERS = Setting.string("kindling.streaming.dead-letters", null,
            "Where undecodable records go: a kafka://, jdbc:, file: or table: URI. Unset: such records are dropped and counted.");

    /** {@code kindling.streaming.backoff.initial}: the longest wait after the first failure of a query in a row; default 1s. */
    public static final Setting<Duration> BACKOFF_INITIAL = Backoff.initialSetting("streaming");

    /** {@code kindling.streaming.backoff.max}: the cap of the restart backoff; default 1m. */
    public static final Setting<Duration> BACKOFF_MAX = Backoff.maxSetting("streaming");

    public static final Setting<Integer> MAX_RESTARTS = Setting.integer("kindling.streaming.max-restarts", 10, 0,
            Integer.MAX_VALUE, "Restarts in a row without a micro-batch in between before the runner gives up (state FAILED). "
                    + "0: never restart.");

    public static final Setting<Duration> LAG_INTERVAL = Setting.duration("kindling.streaming.lag.interval", Duration.ofSeconds(5),
            "How often the Kafka consumer lag is computed from the broker's latest offsets.");

    public static final Setting<Integer> TABLE_MAX_LIMIT = Setting.integer("kindling.streaming.table.max-limit", 1000, 1, 1_000_000,
            "The largest 'limit' a GET /tables/{name} request may ask for.");

    /**
     * {@code kindling.streaming.lease-store}: the PostgreSQL database that holds the lease of the checkpoint, so that
     * replicas of the service can share it: {@code jdbc:postgresql://host:5432/db?user=U&password.env=V} (also
     * {@code password=}, {@code password.file=}; {@code table=} the lease table, default {@code kindling_leases},
     * created when missing; the driver's own parameters, such as {@code sslmode}, stay in the URL). The lease is named
     * {@code streaming/CHECKPOINT} and needs {@link #CHECKPOINT}. Default: unset, a single replica that starts its
     * queries at once.
     */
    public static final Setting<String> LEASE_STORE = Setting.string("kindling.streaming.lease-store", null,
            "PostgreSQL database of the lease that lets replicas share the checkpoint: jdbc:postgresql://host:5432/db?user=u&password.env=V "
                    + "(table=kindling_leases by default; driver parameters such as sslmode are kept). Unset: a single replica.");

    /**
     * {@code kindling.streaming.lease-ttl}: how long the lease lasts unless its holder renews it (every third of it);
     * a standby takes over from a leader that died within about 1⅓ ttl, then starts the queries. Default 15s; at
     * least 1s. Only with {@link #LEASE_STORE}.
     */
    public static final Setting<Duration> LEASE_TTL = Setting.duration("kindling.streaming.lease-ttl", Duration.ofSeconds(15),
            "How long the lease lasts unless renewed (every third of it); bounds the takeover after a leader dies. At least 1s.");

    /**
     * {@code kindling.streaming.replica-id}: this replica's id as the lease's holder, shown in {@code /status} and in a
     * standby's 503 answers; 1 to 300 characters. Default: the host name (a pod's name on Kubernetes) and the process
     * id, as in {@code wordcount-7d9f-abcde/1}. Only with {@link #LEASE_STORE}.
     */
    public static final Setting<String> REPLICA_ID = Setting.string("kindling.streaming.replica-id", null,
            "This replica's id as the lease's holder (1 to 300 characters). Unset: HOSTNAME/pid.");
}
