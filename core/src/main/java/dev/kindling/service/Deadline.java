package dev.kindling.service;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time by which something must be done: the one shutdown deadline that every stop of a
 * service shares, so the waits do not add up.
 *
 * <pre>{@code
 * Deadline deadline = Deadline.after(Duration.ofSeconds(30));
 * boolean ended = deadline.join(worker);          // waits at most what is left
 * if (!ended) log.warn("still running after the deadline: {}", worker.getName());
 * }</pre>
 *
 * <p>Immutable and thread-safe; measured on {@link System#nanoTime()}.
 */
public final class Deadline {
    private final long atNanos;
    private final Duration total;

    private Deadline(long atNanos, Duration total) {
        this.atNanos = atNanos;
        this.total = total;
    }

    /** The deadline {@code duration} from now. */
    public static Deadline after(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        Duration d = duration.isNegative() ? Duration.ZERO : duration;
        long nanos = d.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : d.toNanos();
        return new Deadline(System.nanoTime() + nanos, d);
    }

    /** The time left, never negative. */
    public Duration remaining() {
        long left = atNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** Whether the deadline has passed. */
    public boolean expired() {
        return atNanos - System.nanoTime() <= 0;
    }

    /** The duration the deadline was set with. */
    public Duration total() {
        return total;
    }

    /** The earlier of this deadline and {@code duration} from now. */
    public Deadline atMost(Duration duration) {
        Deadline other = after(duration);
        return other.atNanos - atNanos < 0 ? other : this;
    }

    /** Waits for {@code thread} to end, at most until the deadline; returns whether it ended. */
    public boolean join(Thread thread) throws InterruptedException {
        long ms = remaining().toMillis();
        if (ms > 0) {
            thread.join(ms);
        }
        return !thread.isAlive();
    }

    @Override
    public String toString() {
        return "Deadline[" + remaining().toMillis() + " ms left of " + total + "]";
    }
}
