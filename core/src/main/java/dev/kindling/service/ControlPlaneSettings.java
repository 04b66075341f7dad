package dev.kindling.service;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The settings of the control plane every Kindling service runs. Read through
 * {@link dev.kindling.config.Settings}; each can be given as an environment variable or a system property.
 *
 * <pre>{@code
 * PORT=9000 KINDLING_AUTH_TOKEN=s3cret java -jar service.jar
 * }</pre>
 */
public final class ControlPlaneSettings {
    private ControlPlaneSettings() {
    }

    public static final Setting<Integer> PORT = Setting.integer("kindling.http.port", 8080, 0, 65535,
            "HTTP port; 0 picks a free one").env("PORT");

    public static final Setting<String> HOST = Setting.string("kindling.http.host", "0.0.0.0",
            "address the HTTP server binds to; 127.0.0.1 keeps it local");

    public static final Setting<Long> MAX_REQUEST_BYTES = Setting.longValue("kindling.http.max-request-bytes", 1_048_576L,
            1, 1L << 31, "largest request body accepted; larger ones get 413");

    public static final Setting<String> AUTH_TOKEN = Setting.secret("kindling.auth.token",
            "bearer token required on mutating routes (POST, PUT, PATCH, DELETE); unset: no auth")
            .env("KINDLING_AUTH_TOKEN");

    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.duration("kindling.shutdown.grace", Duration.ofSeconds(30),
            "on SIGTERM, how long in-flight requests and work may take before the service stops");
}
