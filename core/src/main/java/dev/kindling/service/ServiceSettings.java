package dev.kindling.service;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The settings every {@link KindlingService} reads: its HTTP server, auth, shutdown and liveness,
 * and for the configuration-only {@link Main}, the pattern to run. Each can be given as an
 * environment variable or a system property (see {@link dev.kindling.config.Settings}).
 *
 * <pre>{@code
 * PORT=9000 KINDLING_AUTH_TOKEN=s3cret KINDLING_SHUTDOWN_GRACE=20s java -jar service.jar
 * }</pre>
 */
public final class ServiceSettings {
    private ServiceSettings() {
    }

    public static final Setting<Integer> PORT = Setting.integer("kindling.http.port", 8080, 0, 65535,
            "HTTP port; 0 picks a free one").env("PORT");

    public static final Setting<String> HOST = Setting.string("kindling.http.host", null,
            "address the HTTP server binds to; unset: 127.0.0.1 without a token, 0.0.0.0 (every interface) with one. Binding "
                    + "another address than a loopback one without a token needs kindling.http.allow-unauthenticated=true");

    public static final Setting<Boolean> ALLOW_UNAUTHENTICATED = Setting.bool("kindling.http.allow-unauthenticated", false,
            "lets the service serve without a token on an address other than loopback (behind a proxy that authenticates, say); "
                    + "it then logs a warning at start");

    public static final Setting<Boolean> METRICS_PUBLIC = Setting.bool("kindling.http.metrics-public", false,
            "serves /metrics without the token (for a Prometheus that cannot send one); /healthz and /readyz never need it");

    public static final Setting<Integer> MAX_STREAMS = Setting.integer("kindling.http.max-streams", 100, 1, 100_000,
            "event streams (Server-Sent Events) open at once; one more gets 429 with Retry-After");

    public static final Setting<Integer> MAX_WAITING = Setting.integer("kindling.http.max-waiting", 64, 1, 100_000,
            "requests that wait for work to end (?wait=) at once; one more gets 429 with Retry-After");

    public static final Setting<Long> MAX_REQUEST_BYTES = Setting.longValue("kindling.http.max-request-bytes", 1_048_576L,
            1, 1L << 31, "largest request body accepted; larger ones get 413");

    public static final Setting<String> AUTH_TOKEN = Setting.secret("kindling.auth.token",
            "bearer token required on every route but /healthz and /readyz (and /metrics when kindling.http.metrics-public); "
                    + "several tokens separated by commas or line breaks (one a line in the file) are all accepted, so a token can "
                    + "be rotated without downtime; unset: no auth, and the server binds to 127.0.0.1")
            .env("KINDLING_AUTH_TOKEN");

    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.duration("kindling.shutdown.grace", Duration.ofSeconds(30),
            "on SIGTERM, the one deadline for the whole shutdown: draining HTTP requests, stopping every component, "
                    + "stopping Spark and closing resources; what is still running then is logged and abandoned");

    public static final Setting<Duration> LIVENESS_FAILURE_GRACE = Setting.duration("kindling.service.liveness-failure-grace",
            Duration.ofSeconds(30), "how long a FAILED component keeps /healthz up (so /status can be read) before it turns 503 "
                    + "and the orchestrator restarts the process");

    public static final Setting<Boolean> SPARK_UI = Setting.bool("kindling.spark.ui", false,
            "serves Spark's web UI (port 4040) from the service's session; off by default because it has no auth and binds "
                    + "every interface unless SPARK_LOCAL_IP says otherwise; its kill links are always off");

    public static final Setting<String> PATTERN = Setting.string("kindling.service.pattern", null,
            "configuration-only service (dev.kindling.service.Main): the pattern to run").oneOf("ondemand", "continuous", "streaming")
            .env("KINDLING_PATTERN");

    public static final Setting<String> NAME = Setting.string("kindling.service.name", null,
            "configuration-only service: the service's name in logs, metrics (tag service) and /status; default the pattern's name")
            .env("KINDLING_SERVICE_NAME");
}
