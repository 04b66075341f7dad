package dev.kindling.ondemand;

import dev.kindling.config.Setting;
import dev.kindling.service.Backoff;
import java.time.Duration;

/**
 * The settings of a {@link JobService}, read through {@link dev.kindling.config.Settings} when it
 * starts: each may be given as a system property (its name), an environment variable or in the
 * {@code KINDLING_CONFIG} file. The service's own settings ({@code PORT}, {@code KINDLING_AUTH_TOKEN},
 * {@code kindling.shutdown.grace}, ...) are in {@link dev.kindling.service.ServiceSettings}.
 *
 * <pre>{@code
 * KINDLING_ONDEMAND_WORKERS=4 KINDLING_ONDEMAND_QUEUE_CAPACITY=16 \
 * KINDLING_ONDEMAND_SCHEDULE_SALES='0 * * * *' java ... MyService
 * }</pre>
 *
 * <p>Besides the constants below, {@code kindling.ondemand.schedule.<job>} (environment
 * {@code KINDLING_ONDEMAND_SCHEDULE_<JOB>}, the job name upper-cased with {@code -} as {@code _}) holds a
 * cron expression (five fields, Unix style, in UTC: minute, hour, day of month, month, day of week) on
 * which that job is submitted, with no params; see {@link #SCHEDULE_PREFIX}.
 */
public final class OnDemandSettings {
    private OnDemandSettings() {
    }

    /** Jobs that run at once. 0 (the default) means the number of cores of this JVM. */
    public static final Setting<Integer> WORKERS = Setting.integer("kindling.ondemand.workers", 0, 0, 1024,
            "jobs that run at once; 0 = the number of available cores");

    public static final Setting<Integer> QUEUE_CAPACITY = Setting.integer("kindling.ondemand.queue-capacity", 64, 1, 1_000_000,
            "jobs that may wait for a worker; when full, submissions get 429 with Retry-After");

    public static final Setting<Duration> DEFAULT_TIMEOUT = Setting.duration("kindling.ondemand.timeout", Duration.ofMinutes(5),
            "a job's timeout when neither the request (?timeout=) nor the job definition gives one");

    public static final Setting<Duration> MAX_TIMEOUT = Setting.duration("kindling.ondemand.max-timeout", Duration.ofHours(1),
            "the largest timeout a request may ask for with ?timeout=");

    public static final Setting<Duration> MAX_WAIT = Setting.duration("kindling.ondemand.max-wait", Duration.ofSeconds(60),
            "the largest ?wait= a POST /jobs/{name} may ask for; also the bound of a sync GET route, whose job is cancelled (504) when it runs longer");

    public static final Setting<Duration> CANCEL_WAIT = Setting.duration("kindling.ondemand.cancel-wait", Duration.ofSeconds(2),
            "how long DELETE /jobs/{id} waits for a running job's code to return after its Spark work is cancelled and its thread "
                    + "interrupted: it answers CANCELLED when it did, CANCELLING (the job still holds its worker) when not");

    public static final Setting<Integer> MAX_RECORDS = Setting.integer("kindling.ondemand.records.max-count", 1000, 1, 10_000_000,
            "finished job records kept in memory; the oldest are dropped first (queued and running jobs are always kept)");

    public static final Setting<Duration> STORE_PROBE_INTERVAL = Setting.duration("kindling.ondemand.store.probe-interval",
            Duration.ofSeconds(5), "how often a durable job store that answers is pinged, so that readiness turns down within this "
                    + "plus kindling.jdbc.connect-timeout of an outage, before a submission fails on it");

    public static final Setting<Duration> RETENTION = Setting.duration("kindling.ondemand.retention", Duration.ofDays(7),
            "ended jobs older than this are deleted from the durable job store (checked every retention/24, at most hourly)");

    public static final Setting<Duration> MAX_RECORD_AGE = Setting.duration("kindling.ondemand.records.max-age", Duration.ofHours(1),
            "finished job records older than this are dropped from memory");

    public static final Setting<Duration> PROGRESS_INTERVAL = Setting.duration("kindling.ondemand.progress-interval",
            Duration.ofMillis(200), "how often the progress of running jobs is read from Spark's status tracker and pushed");

    public static final Setting<Duration> RETRY_AFTER = Setting.duration("kindling.ondemand.retry-after", Duration.ofSeconds(1),
            "the Retry-After a 429 (queue full) answer carries, rounded up to whole seconds");

    /** The FAIR scheduler weight of each job's pool; see {@link JobService#sparkDefaults}. */
    public static final Setting<Integer> POOL_WEIGHT = Setting.integer("kindling.ondemand.pool.weight", 1, 1, 1000,
            "the weight of each job's FAIR scheduler pool (its share of the cluster against other jobs' pools)");

    public static final Setting<Integer> POOL_MIN_SHARE = Setting.integer("kindling.ondemand.pool.min-share", 0, 0, 100_000,
            "the minimum share (CPU cores) of each job's FAIR scheduler pool, given to it before weights apply");

    /** The backoff of a warm-up (or a job-store check) that failed for a reason that may pass. */
    public static final Setting<Duration> BACKOFF_INITIAL = Backoff.initialSetting("ondemand");

    public static final Setting<Duration> BACKOFF_MAX = Backoff.maxSetting("ondemand");

    /**
     * The prefix of the schedule settings: {@code kindling.ondemand.schedule.<job>=<cron expression>}
     * submits that job on the schedule (five fields, Unix style, in UTC), through the queue, recorded as
     * an HTTP submission is (with {@code trigger: "schedule"}). A run whose previous scheduled run of the
     * same job is still queued or running is skipped and counted in
     * {@code kindling_ondemand_schedule_skipped_total}.
     */
    public static final String SCHEDULE_PREFIX = "kindling.ondemand.schedule.";

    public static final Setting<String> STORE_URL = Setting.string("kindling.ondemand.store.url", null,
            "JDBC URL of the PostgreSQL database of the durable job store (jdbc:postgresql://host:5432/db?sslmode=require; driver "
                    + "parameters are kept); unset: records in memory only");

    public static final Setting<String> STORE_USER = Setting.string("kindling.ondemand.store.user", null,
            "user of the durable job store's database");

    public static final Setting<String> STORE_PASSWORD = Setting.secret("kindling.ondemand.store.password",
            "password of the durable job store's database");

    public static final Setting<String> STORE_TABLE = Setting.string("kindling.ondemand.store.table", "kindling_jobs",
            "table of the durable job store (created when missing); a plain SQL identifier");

    /**
     * How long a replica's claim on a running job lasts without renewal (PostgreSQL job store only). The
     * replica renews it at every heartbeat (every {@link #POLL_INTERVAL}, at most every lease/3); when a
     * replica dies, its jobs are requeued or failed ({@link #MAX_ATTEMPTS}) once their leases have run out.
     * Default 15 s; from 1 s to 1 h.
     */
    public static final Setting<Duration> LEASE = Setting.duration("kindling.ondemand.lease", Duration.ofSeconds(15),
            "with the PostgreSQL job store: how long a replica's claim on a running job lasts unless renewed (renewed every "
                    + "poll-interval, at most lease/3); a dead replica's jobs are requeued or failed when it has run out (1s..1h)");

    /**
     * How many times a job may be claimed (PostgreSQL job store only). A job whose replica died while running
     * it is queued again while it has attempts left, else it ends FAILED with {@link JobError#REPLICA_LOST}.
     * Default 1: no retry (a job that changes data is not run twice). From 1 to 100.
     */
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("kindling.ondemand.max-attempts", 1, 1, 100,
            "with the PostgreSQL job store: how many times a job may be claimed; a job whose replica died is queued again while it "
                    + "has attempts left, else FAILED 'replica lost' (1 = no retry)");

    /**
     * The largest result a job may return with a job store, as UTF-8 JSON bytes: the result lives in the store
     * so that every replica can serve it. A larger result ends the job FAILED with
     * {@link JobError#RESULT_TOO_LARGE}, naming this setting and the size. Default 1 MiB (1048576); from 1 to 256 MiB.
     * Without a store results are not limited.
     */
    public static final Setting<Integer> MAX_RESULT_BYTES = Setting.integer("kindling.ondemand.max-result-bytes", 1_048_576, 1,
            268_435_456, "with a job store: the largest job result (JSON, UTF-8 bytes); a larger one fails the job 'result too large'");

    /**
     * This replica's name in the job store (the owner of the jobs it runs) and in {@code /status}. Default:
     * the host name and the process id ({@code web-0-1}; in Kubernetes the host name is the pod's name).
     * Replicas sharing a store need distinct ids.
     */
    public static final Setting<String> REPLICA_ID = Setting.string("kindling.ondemand.replica-id", null,
            "this replica's id in the job store and in /status; default host name-pid; replicas sharing a store need distinct ids");

    /**
     * How often a replica with the PostgreSQL job store looks for queued jobs to claim (also at once when it
     * accepts a job or a worker frees), renews its leases, reads cancel requests for the jobs it runs and
     * refreshes the jobs it follows for its clients. Default 500 ms; a cancel reaches the running replica
     * within this interval.
     */
    public static final Setting<Duration> POLL_INTERVAL = Setting.duration("kindling.ondemand.poll-interval", Duration.ofMillis(500),
            "with the PostgreSQL job store: how often a replica claims queued jobs, renews its leases, reads cancel requests and "
                    + "refreshes the jobs other replicas run");

    /** The name of the job of the configuration-only service ({@code KINDLING_PATTERN=ondemand}, {@code dev.kindling.service.Main}). */
    public static final Setting<String> JOB_NAME = Setting.string("kindling.ondemand.job.name", "query",
            "configuration-only service: the job's name (POST /jobs/{name})");

    public static final Setting<String> JOB_SOURCE = Setting.string("kindling.ondemand.job.source", null,
            "configuration-only service: the source URI the job reads, e.g. file:/data/sales?format=parquet; required there");

    public static final Setting<String> JOB_SQL = Setting.string("kindling.ondemand.job.sql", null,
            "configuration-only service: the SQL run over the source, which it sees as the view 'input'; required there");

    public static final Setting<Integer> JOB_LIMIT = Setting.integer("kindling.ondemand.job.limit", 1000, 1, 1_000_000,
            "configuration-only service: the most result rows returned (the result says truncated=true when there were more)");
}
