package dev.kindling.streaming;

import dev.kindling.config.Setting;
import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.streaming.Trigger;

/**
 * When a streaming query starts its next micro-batch.
 *
 * <pre>{@code
 * StreamTrigger every5s = StreamTrigger.every(Duration.ofSeconds(5));
 * StreamTrigger fast = StreamTrigger.asFastAsPossible();
 * StreamTrigger fromText = StreamTrigger.parse("5s");   // or "fast", "available-now"
 * }</pre>
 *
 * @param kind     {@code PROCESSING_TIME} (interval; 0 = as fast as possible) or {@code AVAILABLE_NOW}
 *                 (process what is there, then stop: for backfills and benchmarks)
 * @param interval the interval for {@code PROCESSING_TIME}; zero otherwise
 */
public record StreamTrigger(Kind kind, Duration interval) {
    /** The kinds of trigger. */
    public enum Kind { PROCESSING_TIME, AVAILABLE_NOW }

    public StreamTrigger {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new ConfigurationException("a trigger interval must not be negative; got " + interval);
        }
        if (kind == Kind.AVAILABLE_NOW && !interval.isZero()) {
            throw new ConfigurationException("an available-now trigger has no interval; got " + interval);
        }
    }

    /** A micro-batch every {@code interval} (a batch that takes longer is followed at once by the next). */
    public static StreamTrigger every(Duration interval) {
        return new StreamTrigger(Kind.PROCESSING_TIME, interval);
    }

    /** The next micro-batch starts as soon as the previous one ends. */
    public static StreamTrigger asFastAsPossible() {
        return new StreamTrigger(Kind.PROCESSING_TIME, Duration.ZERO);
    }

    /** Processes everything available at start, in one or more batches, then the query stops. */
    public static StreamTrigger availableNow() {
        return new StreamTrigger(Kind.AVAILABLE_NOW, Duration.ZERO);
    }

    /**
     * Parses {@code fast} (or {@code 0}), {@code available-now}, or a duration such as {@code 500ms},
     * {@code 5s}, {@code 1m}.
     */
    public static StreamTrigger parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("fast") || t.equals("0")) {
            return asFastAsPossible();
        }
        if (t.equals("available-now")) {
            return availableNow();
        }
        try {
            return every(Setting.parseDuration(t));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("trigger must be 'fast', 'available-now' or an interval such as 500ms, 5s, 1m; got '"
                    + text + "'");
        }
    }

    /** Spark's trigger. */
    public Trigger toSpark() {
        return kind == Kind.AVAILABLE_NOW ? Trigger.AvailableNow() : Trigger.ProcessingTime(interval.toMillis());
    }

    @Override
    public String toString() {
        return kind == Kind.AVAILABLE_NOW ? "available-now" : interval.isZero() ? "fast" : interval.toMillis() + "ms";
    }
}
