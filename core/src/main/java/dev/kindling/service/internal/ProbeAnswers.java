package dev.kindling.service.internal;

import dev.kindling.service.Health;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answers of the probes {@code /healthz} (liveness) and {@code /readyz} (readiness), which never need a token. */
final class ProbeAnswers {
    private ProbeAnswers() {
    }

    /** {@code GET /healthz}: 200 {@code up}, or 503 {@code down} with the checks that are down and why. */
    static void health(Context ctx, String serviceName, Map<String, Health> checks) {
        boolean up = checks.values().stream().allMatch(Health::ok);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "up" : "down");
        body.put("service", serviceName);
        if (!up) {
            Map<String, String> down = new LinkedHashMap<>();
            checks.forEach((k, v) -> {
                if (!v.ok()) {
                    down.put(k, v.reason());
                }
            });
            body.put("checks", down);
        }
        ctx.status(up ? 200 : 503).json(body);
    }

    /** {@code GET /readyz}: 200 {@code ready}, or 503 {@code not ready}; every check with its state, and {@code shutdown} while draining. */
    static void ready(Context ctx, boolean draining, Map<String, Health> readiness) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean ok = !draining;
        if (!ok) {
            checks.put("shutdown", "draining");
        }
        for (Map.Entry<String, Health> e : readiness.entrySet()) {
            checks.put(e.getKey(), e.getValue().ok() ? "ready" : "not ready: " + e.getValue().reason());
            ok &= e.getValue().ok();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "ready" : "not ready");
        body.put("checks", checks);
        ctx.status(ok ? 200 : 503).json(body);
    }
}
