package dev.kindling.service.internal;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.ServiceSettings;

/**
 * Which address a service binds, from its settings and whether it has a token: loopback without one, every
 * interface with one, and anything else without a token only when the operator says a proxy authenticates.
 *
 * <pre>{@code
 * BindPolicy.host(Settings.of(Map.of()));                                    // "127.0.0.1"
 * BindPolicy.host(Settings.of(Map.of("kindling.auth.token", "s3cret")));     // "0.0.0.0"
 * }</pre>
 */
final class BindPolicy {
    private BindPolicy() {
    }

    /**
     * The address to bind: the setting, else 127.0.0.1 without a token and 0.0.0.0 with one.
     *
     * @throws ConfigurationException when a non-loopback address is asked for without a token and without
     *         {@code kindling.http.allow-unauthenticated=true}
     */
    static String host(Settings settings) {
        boolean secured = !RequestGuard.tokens(settings).isEmpty();
        String h = settings.get(ServiceSettings.HOST);
        String bound = h == null || h.isBlank() ? (secured ? "0.0.0.0" : "127.0.0.1") : h.trim();
        if (!secured && !isLoopback(bound) && !settings.get(ServiceSettings.ALLOW_UNAUTHENTICATED)) {
            throw new ConfigurationException("the service would serve on " + bound + " without a token: set "
                    + ServiceSettings.AUTH_TOKEN.env() + " (every route but /healthz and /readyz then needs it), bind to 127.0.0.1 "
                    + "(" + ServiceSettings.HOST.env() + "), or set " + ServiceSettings.ALLOW_UNAUTHENTICATED.env()
                    + "=true when a proxy in front authenticates");
        }
        return bound;
    }

    /** Whether {@code host} is a loopback address, reachable from this machine only. */
    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    /** {@code http://HOST:PORT (who may call)} for the start-up line. */
    static String describe(String host, int port, boolean secured) {
        return "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + port + " ("
                + (secured ? "a bearer token is required on every route but /healthz and /readyz"
                        : isLoopback(host) ? "no token: reachable from this machine only" : "NO TOKEN") + ")";
    }
}
