package dev.kindling.service;

import java.time.Instant;
import java.util.Objects;

/**
 * The last error a component met, as {@code /status} shows it.
 *
 * <pre>{@code
 * {"kind": "TRANSIENT", "message": "cannot connect to jdbc:postgresql://db:5432/app: Connection refused", "at": "2026-11-26T10:00:00Z"}
 * }</pre>
 *
 * @param kind    {@code CONFIGURATION}, {@code TRANSIENT} or {@code PERMANENT} ({@link dev.kindling.ipp.Failures.Kind})
 * @param message a one-line summary, without a stack trace or a secret
 * @param at      when it happened
 */
public record ComponentError(String kind, String message, Instant at) {
    public ComponentError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(at, "at");
    }
}
