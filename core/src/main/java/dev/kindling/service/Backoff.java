package dev.kindling.service;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff, capped, with full jitter: after the n-th failure in a row the delay is drawn
 * uniformly from {@code [0, min(max, initial * 2^(n-1))]}, so replicas that failed together do not
 * retry together.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.fromSettings(settings, "continuous");   // kindling.continuous.backoff.initial / .max
 * Duration wait = backoff.delay(failuresInARow);
 * }</pre>
 *
 * <p>Every runner names its settings the same way, {@code kindling.<pattern>.backoff.initial} and
 * {@code kindling.<pattern>.backoff.max}; {@link #initialSetting} and {@link #maxSetting} declare them.
 *
 * @param initial the ceiling after the first failure; at least 1 ms
 * @param max     the largest ceiling; at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {
    /** The default first ceiling: 1 second. */
    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    /** The default largest ceiling: 1 minute. */
    public static final Duration DEFAULT_MAX = Duration.ofMinutes(1);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.toMillis() < 1) {
            throw new ConfigurationException("the initial backoff must be at least 1 ms; got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new ConfigurationException("the largest backoff (" + max + ") must not be smaller than the initial one (" + initial + ")");
        }
    }

    /** The backoff of {@code pattern} from its two settings. */
    public static Backoff fromSettings(Settings settings, String pattern) {
        return new Backoff(settings.get(initialSetting(pattern)), settings.get(maxSetting(pattern)));
    }

    /** {@code kindling.<pattern>.backoff.initial}, default 1s. */
    public static Setting<Duration> initialSetting(String pattern) {
        return Setting.duration("kindling." + pattern + ".backoff.initial", DEFAULT_INITIAL,
                "the longest wait after the first failure in a row; each further failure doubles it (full jitter: the wait is drawn "
                        + "from 0 to it)");
    }

    /** {@code kindling.<pattern>.backoff.max}, default 1m. */
    public static Setting<Duration> maxSetting(String pattern) {
        return Setting.duration("kindling." + pattern + ".backoff.max", DEFAULT_MAX,
                "the cap of the backoff's doubling");
    }

    /** The ceiling after {@code failures} failures in a row (before jitter); zero for none. */
    public Duration ceiling(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int shift = Math.min(failures - 1, 40);
        long ms = initial.toMillis();
        long d = ms > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : ms << shift;
        return Duration.ofMillis(Math.min(d, max.toMillis()));
    }

    /** A delay with full jitter for {@code failures} failures in a row. */
    public Duration delay(int failures) {
        long c = ceiling(failures).toMillis();
        return c <= 0 ? Duration.ZERO : Duration.ofMillis(ThreadLocalRandom.current().nextLong(c + 1));
    }
}
