package dev.kindling.service;

import dev.kindling.config.Setting;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * Parses the query parameters that several routes share, with one kind of error: {@code 400}
 * {@code application/problem+json} titled {@code Invalid parameter}, with the members
 * {@code parameter} and {@code allowed}.
 *
 * <pre>{@code
 * Duration wait = QueryParams.duration(ctx, "wait", Duration.ofMinutes(1));   // null when absent
 * int limit = QueryParams.integer(ctx, "limit", 20, 1, 100);
 * }</pre>
 */
public final class QueryParams {
    private QueryParams() {
    }

    /**
     * The duration in parameter {@code name} ({@code 500ms}, {@code 10s}, {@code 5m}, ISO-8601), or
     * null when it is absent or blank.
     *
     * @throws ProblemException 400 when it is not a duration, or not more than zero and at most {@code max}
     */
    public static Duration duration(Context ctx, String name, Duration max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String allowed = "a duration from 1ms to " + Setting.formatDuration(max) + ", such as 500ms, 10s, 5m";
        Duration d;
        try {
            d = Setting.parseDuration(raw);
        } catch (IllegalArgumentException e) {
            throw invalid(name, allowed, "'" + name + "' is '" + shorten(raw) + "'; expected " + allowed);
        }
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            throw invalid(name, allowed, "'" + name + "' is " + shorten(raw) + "; allowed: " + allowed);
        }
        return d;
    }

    /**
     * The whole number in parameter {@code name}, or {@code def} when it is absent or blank.
     *
     * @throws ProblemException 400 when it is not a whole number from {@code min} to {@code max}
     */
    public static int integer(Context ctx, String name, int def, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return def;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the problem below says what is allowed
        }
        throw invalid(name, min + ".." + max, "'" + name + "' is '" + shorten(raw) + "'; allowed: a whole number from " + min
                + " to " + max);
    }

    /** The 400 problem for parameter {@code name}: what was wrong and what is allowed. */
    public static ProblemException invalid(String name, String allowed, String detail) {
        return new ProblemException(Problem.of(400, "Invalid parameter", detail).with("parameter", name).with("allowed", allowed));
    }

    private static String shorten(String raw) {
        return raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
    }
}
