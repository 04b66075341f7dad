package dev.kindling.service;

import java.util.Objects;

/**
 * The answer of a readiness or liveness check: up, or down with a reason a person can act on.
 *
 * <pre>{@code
 * public Health readiness() {
 *     return warmedUp ? Health.up() : Health.down("warming up: the first job has not run yet");
 * }
 * }</pre>
 *
 * @param ok     whether the check passes
 * @param reason why it does not pass; empty when it does
 */
public record Health(boolean ok, String reason) {
    private static final Health UP = new Health(true, "");

    public Health {
        Objects.requireNonNull(reason, "reason");
    }

    /** A passing check. */
    public static Health up() {
        return UP;
    }

    /** A failing check with the reason shown at {@code /readyz} or {@code /healthz}. */
    public static Health down(String reason) {
        Objects.requireNonNull(reason, "reason");
        return new Health(false, reason.isBlank() ? "down" : reason);
    }

    /** {@link #up()} when {@code condition} holds, else {@link #down(String)} with {@code reason}. */
    public static Health when(boolean condition, String reason) {
        return condition ? UP : down(reason);
    }
}
