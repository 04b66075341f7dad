package dev.kindling.service;

import java.time.Instant;
import java.util.Objects;

/**
 * One component's entry in {@code GET /status}: the same shape for every pattern, with the
 * pattern's own details last.
 *
 * <pre>{@code
 * "modeler": {"pattern": "continuous", "state": "RUNNING", "since": "2026-11-26T10:00:00Z", "ready": true,
 *             "readiness": "", "lastError": null, "details": {...}}
 * }</pre>
 *
 * @param pattern   the component's pattern ({@code ondemand}, {@code continuous}, {@code streaming}, ...)
 * @param state     its lifecycle state
 * @param since     when it entered that state
 * @param ready     whether it counts as ready now
 * @param readiness why it is not ready; empty when it is
 * @param lastError the last error it met, or null; kept until it recovers
 * @param details   the pattern's own status object (serialised as JSON), or null
 */
public record ComponentStatus(String pattern, ComponentState state, Instant since, boolean ready, String readiness,
                              ComponentError lastError, Object details) {
    public ComponentStatus {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(readiness, "readiness");
    }
}
