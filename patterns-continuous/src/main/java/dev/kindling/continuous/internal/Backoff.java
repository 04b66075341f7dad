package dev.kindling.continuous.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: after the n-th consecutive failure the delay is drawn uniformly
 * from {@code [d/2, d]} where {@code d = min(max, initial * 2^(n-1))}.
 */
public record Backoff(Duration initial, Duration max) {

    /** The largest delay after {@code failures} consecutive failures (before jitter). */
    public Duration ceiling(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int shift = Math.min(failures - 1, 40);
        long ms = initial.toMillis();
        long d = ms > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : ms << shift;
        return Duration.ofMillis(Math.min(d, max.toMillis()));
    }

    /** A delay with jitter for {@code failures} consecutive failures. */
    public Duration delay(int failures) {
        long c = ceiling(failures).toMillis();
        if (c <= 1) {
            return Duration.ofMillis(c);
        }
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(c / 2, c + 1));
    }
}
