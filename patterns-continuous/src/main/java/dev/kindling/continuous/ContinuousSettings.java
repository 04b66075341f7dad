package dev.kindling.continuous;

import dev.kindling.config.Setting;
import dev.kindling.service.Backoff;
import java.time.Duration;

/**
 * The settings of the continuous-batch pattern. A runner built from settings alone
 * ({@link ContinuousRunner#fromSettings}, which the configuration-only service
 * {@code dev.kindling.service.Main} uses with {@code KINDLING_PATTERN=continuous}) reads all of them;
 * a runner built in code reads the operational ones ({@link #INTERVAL}, {@link #BACKOFF_INITIAL},
 * {@link #BACKOFF_MAX}, {@link #UNREADY_AFTER_FAILURES}, {@link #STOP_AFTER_FAILURES},
 * {@link #START_PAUSED}, {@link #LEASE_TTL}, {@link #REPLICA_ID}) at start for every option its builder
 * left unset. Each is read from a
 * system property, the environment variable shown by {@link dev.kindling.config.Settings#describe},
 * or the {@code KINDLING_CONFIG} file.
 *
 * <pre>{@code
 * KINDLING_PATTERN=continuous \
 * KINDLING_CONTINUOUS_SOURCE='jdbc:postgresql://db:5432/shop?table=orders&user=app&password.env=PGPASSWORD' \
 * KINDLING_CONTINUOUS_WATERMARK_COLUMN=id \
 * KINDLING_CONTINUOUS_SQL='SELECT id, amount FROM input WHERE amount > 0' \
 * KINDLING_CONTINUOUS_SINK='file:/data/orders?format=parquet&perBatch=true' \
 * KINDLING_CONTINUOUS_INTERVAL=30s  java ... dev.kindling.service.Main
 * }</pre>
 */
public final class ContinuousSettings {
    private ContinuousSettings() {
    }

    public static final Setting<String> NAME = Setting.string("kindling.continuous.name", "continuous",
            "Name of the pipeline: the component's name in /status, the pipeline tag of its meters, and the row key in a JDBC "
                    + "watermark store");
    public static final Setting<String> MODE = Setting.string("kindling.continuous.mode", "incremental",
            "incremental: a watermark source (JDBC with a watermark column) and a watermark store; "
                    + "available-now: a streamable source (files, Kafka) run with Trigger.AvailableNow and a checkpoint")
            .oneOf("incremental", "available-now");
    public static final Setting<String> SOURCE = Setting.string("kindling.continuous.source", null,
            "Source URI (required), e.g. jdbc:postgresql://host:5432/db?table=t&user=u&password.env=PGPASSWORD or "
                    + "file:/landing?format=csv&schema=...");
    public static final Setting<String> WATERMARK_COLUMN = Setting.string("kindling.continuous.watermark-column", null,
            "The source's watermark column (incremental mode; may also be given as watermarkColumn in the source URI)");
    public static final Setting<String> SQL = Setting.string("kindling.continuous.sql", null,
            "SQL processor reading the view 'input'; unset publishes the new rows as they are");
    public static final Setting<String> SINK = Setting.string("kindling.continuous.sink", null,
            "Sink URI (required); must be idempotent, e.g. file:/out?format=parquet&perBatch=true or jdbc:...?table=t&mode=upsert&keys=id");
    public static final Setting<String> WATERMARK_STORE = Setting.string("kindling.continuous.watermark-store", null,
            "Incremental mode: file:/path/watermark.properties or jdbc:postgresql://host/db?table=kindling_watermarks&user=u&password.env=V "
                    + "(driver parameters such as sslmode are kept); unset: file:kindling-state/NAME.watermark");
    public static final Setting<String> CHECKPOINT = Setting.string("kindling.continuous.checkpoint", null,
            "Available-now mode: Spark's checkpoint folder (required in that mode)");
    public static final Setting<String> OUTPUT_MODE = Setting.string("kindling.continuous.output-mode", "append",
            "Available-now mode: the streaming output mode; auto picks append when Spark accepts it, else update")
            .oneOf("auto", "append", "update", "complete");
    public static final Setting<Duration> INTERVAL = Setting.duration("kindling.continuous.interval", Duration.ofMinutes(1),
            "Pause between the end of a successful cycle and the start of the next; at least 1ms");
    public static final Setting<Duration> BACKOFF_INITIAL = Backoff.initialSetting("continuous");
    public static final Setting<Duration> BACKOFF_MAX = Backoff.maxSetting("continuous");
    public static final Setting<Integer> UNREADY_AFTER_FAILURES = Setting.integer("kindling.continuous.unready-after-failures", 3, 1, 1000,
            "Readiness (/readyz) turns false, and the state RECOVERING, after this many consecutive failed cycles");
    public static final Setting<Integer> STOP_AFTER_FAILURES = Setting.integer("kindling.continuous.stop-after-failures", 0, 0, 1_000_000,
            "Stop (state FAILED) after this many consecutive failed cycles; 0 keeps trying forever");
    public static final Setting<Boolean> START_PAUSED = Setting.bool("kindling.continuous.start-paused", false,
            "Start without scheduled cycles until POST /resume (POST /cycles still runs one)");
    public static final Setting<Duration> LEASE_TTL = Setting.duration("kindling.continuous.lease-ttl", Duration.ofSeconds(15),
            "Replicas (incremental mode with a PostgreSQL watermark store): how long the leader's lease lasts unless renewed; "
                    + "a standby takes over at most about 1.3 times this after the leader died; at least 1s");
    public static final Setting<String> REPLICA_ID = Setting.string("kindling.continuous.replica-id", null,
            "Replicas: this replica's id as the lease's holder, shown in /status; 1 to 300 characters; unset: host name/process id "
                    + "(the pod's name on Kubernetes)");
}
