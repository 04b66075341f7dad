package dev.kindling.streaming;

import dev.kindling.config.Setting;
import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.streaming.Trigger;

/**
 * How a streaming query runs: in micro-batches started on an interval, in Spark's real-time mode (long-running tasks
 * that emit each record as it arrives, with a checkpoint every interval), or {@linkplain #auto() chosen by the runner}.
 *
 * <pre>{@code
 * StreamTrigger auto = StreamTrigger.auto();                                  // the default: real-time when it can
 * StreamTrigger realTime = StreamTrigger.realTime(Duration.ofSeconds(5));    // checkpoint every 5 s, or fail at start
 * StreamTrigger every5s = StreamTrigger.every(Duration.ofSeconds(5));
 * StreamTrigger fast = StreamTrigger.asFastAsPossible();
 * StreamTrigger fromText = StreamTrigger.parse("real-time:10s");   // or "auto", "auto:2s", "5s", "fast", "available-now"
 * }</pre>
 *
 * <p>Real-time mode runs stateless queries only (projections, filters, unions, joins with a static table), reads
 * from Kafka and writes to Kafka, and holds one task slot per input partition for as long as it runs. With
 * {@link Kind#AUTO} the runner uses it when all of that holds and falls back to a micro-batch every {@code interval}
 * otherwise, logging why; with {@link Kind#REAL_TIME} a query that cannot run in real-time mode fails its start with
 * a {@link ConfigurationException} that names the reason.
 *
 * @param kind     {@code PROCESSING_TIME} (interval; 0 = as fast as possible), {@code AVAILABLE_NOW} (process what
 *                 is there, then stop: for backfills and benchmarks), {@code REAL_TIME} (interval = how often
 *                 progress is checkpointed) or {@code AUTO} (real-time when possible, else micro-batches; interval =
 *                 either one's interval)
 * @param interval the interval; zero for {@code AVAILABLE_NOW}; positive for {@code REAL_TIME} and {@code AUTO}
 */
public record StreamTrigger(Kind kind, Duration interval) {
    /** The kinds of trigger. */
    public enum Kind { PROCESSING_TIME, AVAILABLE_NOW, REAL_TIME, AUTO }

    /** The interval of {@link #auto()} and of {@code parse("real-time")}. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    public StreamTrigger {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new ConfigurationException("a trigger interval must not be negative; got " + interval);
        }
        if (kind == Kind.AVAILABLE_NOW && !interval.isZero()) {
            throw new ConfigurationException("an available-now trigger has no interval; got " + interval);
        }
        if ((kind == Kind.REAL_TIME || kind == Kind.AUTO) && interval.toMillis() < 100) {
            throw new ConfigurationException("a real-time query's checkpoint interval must be at least 100ms; got " + interval);
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
     * Spark's real-time mode: each record is processed and written as it arrives, and the progress (offsets, metrics
     * in {@code /status}) is checkpointed every {@code checkpointInterval}; a restart replays at most that much. Spark
     * refuses an interval under {@code spark.sql.streaming.realTimeMode.minBatchDuration} (5 s unless set).
     */
    public static StreamTrigger realTime(Duration checkpointInterval) {
        return new StreamTrigger(Kind.REAL_TIME, checkpointInterval);
    }

    /** Real-time mode with a checkpoint every {@code interval} when the query allows it, else a micro-batch every {@code interval}. */
    public static StreamTrigger auto(Duration interval) {
        return new StreamTrigger(Kind.AUTO, interval);
    }

    /** {@link #auto(Duration)} every {@link #DEFAULT_INTERVAL}: the runners' default. */
    public static StreamTrigger auto() {
        return auto(DEFAULT_INTERVAL);
    }

    /**
     * Parses {@code auto} or {@code auto:INTERVAL}, {@code real-time} or {@code real-time:INTERVAL} (the checkpoint
     * interval; 5s when omitted), {@code fast} (or {@code 0}), {@code available-now}, or a micro-batch interval such as
     * {@code 500ms}, {@code 5s}, {@code 1m}.
     */
    public static StreamTrigger parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("fast") || t.equals("0")) {
                return asFastAsPossible();
            }
            if (t.equals("available-now")) {
                return availableNow();
            }
            if (t.equals("auto") || t.equals("real-time")) {
                return new StreamTrigger(t.equals("auto") ? Kind.AUTO : Kind.REAL_TIME, DEFAULT_INTERVAL);
            }
            if (t.startsWith("auto:") || t.startsWith("real-time:")) {
                Duration d = Setting.parseDuration(t.substring(t.indexOf(':') + 1).trim());
                return new StreamTrigger(t.startsWith("auto") ? Kind.AUTO : Kind.REAL_TIME, d);
            }
            return every(Setting.parseDuration(t));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("trigger must be 'auto', 'real-time', 'fast', 'available-now', an interval such as "
                    + "500ms, 5s, 1m, or 'auto:' / 'real-time:' followed by one; got '" + text + "'");
        }
    }

    /** Whether this trigger runs the query in real-time mode (only {@link Kind#REAL_TIME}; {@code AUTO} is not resolved yet). */
    public boolean realTime() {
        return kind == Kind.REAL_TIME;
    }

    /** What {@link Kind#AUTO} becomes: real-time mode when {@code realTimePossible}, else micro-batches; other kinds stay. */
    public StreamTrigger resolve(boolean realTimePossible) {
        if (kind != Kind.AUTO) {
            return this;
        }
        return realTimePossible ? realTime(interval) : every(interval);
    }

    /**
     * Spark's trigger.
     *
     * @throws IllegalStateException for {@link Kind#AUTO}, which must be {@linkplain #resolve resolved} first
     */
    public Trigger toSpark() {
        return switch (kind) {
            case AVAILABLE_NOW -> Trigger.AvailableNow();
            case PROCESSING_TIME -> Trigger.ProcessingTime(interval.toMillis());
            case REAL_TIME -> Trigger.RealTime(interval.toMillis());
            case AUTO -> throw new IllegalStateException("an auto trigger is resolved to a real-time or a micro-batch trigger before it starts a query");
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AVAILABLE_NOW -> "available-now";
            case PROCESSING_TIME -> interval.isZero() ? "fast" : interval.toMillis() + "ms";
            case REAL_TIME -> "real-time:" + interval.toMillis() + "ms";
            case AUTO -> "auto:" + interval.toMillis() + "ms";
        };
    }
}
