package dev.kindling.ipp;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a continuous-batch service has read: the greatest value of the source's watermark column
 * that has been published. Immutable; ordered within one kind.
 *
 * <pre>{@code
 * Watermark w = Watermark.ofLong(41);
 * Watermark again = Watermark.parse(w.serialize());   // "LONG:41"
 * assert again.equals(w) && Watermark.ofLong(42).compareTo(w) > 0;
 * }</pre>
 *
 * @param kind  what the value is: a whole number, an instant or a string
 * @param value the value in its canonical text form (decimal digits, ISO-8601 instant, or the string)
 */
public record Watermark(Kind kind, String value) implements Comparable<Watermark> {

    /** The kinds of watermark value. */
    public enum Kind { LONG, TIMESTAMP, STRING }

    public Watermark {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        if (kind == Kind.LONG) {
            Long.parseLong(value);
        } else if (kind == Kind.TIMESTAMP) {
            Instant.parse(value);
        }
    }

    public static Watermark ofLong(long value) {
        return new Watermark(Kind.LONG, Long.toString(value));
    }

    public static Watermark ofInstant(Instant value) {
        return new Watermark(Kind.TIMESTAMP, value.toString());
    }

    public static Watermark ofString(String value) {
        return new Watermark(Kind.STRING, value);
    }

    /**
     * The watermark of a value read from Spark or JDBC: integral numbers become {@link Kind#LONG},
     * {@link Timestamp}, {@link Instant} and {@link LocalDateTime} (taken as UTC) become
     * {@link Kind#TIMESTAMP}, strings stay strings.
     *
     * @throws ConfigurationException for any other type, naming it
     */
    public static Watermark fromValue(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ofLong(((Number) value).longValue());
        }
        if (value instanceof BigDecimal d && d.scale() <= 0) {
            return ofLong(d.longValueExact());
        }
        if (value instanceof Timestamp t) {
            return ofInstant(t.toInstant());
        }
        if (value instanceof Instant i) {
            return ofInstant(i);
        }
        if (value instanceof LocalDateTime l) {
            return ofInstant(l.toInstant(ZoneOffset.UTC));
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return ofInstant(o.toInstant());
        }
        if (value instanceof String s) {
            return ofString(s);
        }
        throw new ConfigurationException("a watermark column must hold whole numbers, timestamps or strings; got "
                + (value == null ? "null" : value.getClass().getName()));
    }

    /** Parses the text made by {@link #serialize()}. */
    public static Watermark parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new ConfigurationException("not a serialized watermark (KIND:value): '" + text + "'");
        }
        try {
            return new Watermark(Kind.valueOf(text.substring(0, colon)), text.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new ConfigurationException("not a serialized watermark (KIND:value): '" + text + "'", e);
        }
    }

    /** {@code KIND:value}, readable by {@link #parse(String)}. */
    public String serialize() {
        return kind + ":" + value;
    }

    /** The value as a JDBC parameter: {@code Long}, {@code java.sql.Timestamp} or {@code String}. */
    public Object jdbcValue() {
        return switch (kind) {
            case LONG -> Long.parseLong(value);
            case TIMESTAMP -> Timestamp.from(Instant.parse(value));
            case STRING -> value;
        };
    }

    /** The instant of a {@link Kind#TIMESTAMP} watermark, for lag metrics; empty for other kinds. */
    public Optional<Instant> instant() {
        return kind == Kind.TIMESTAMP ? Optional.of(Instant.parse(value)) : Optional.empty();
    }

    @Override
    public int compareTo(Watermark other) {
        if (kind != other.kind) {
            throw new IllegalArgumentException("cannot compare a " + kind + " watermark with a " + other.kind + " one");
        }
        return switch (kind) {
            case LONG -> Long.compare(Long.parseLong(value), Long.parseLong(other.value));
            case TIMESTAMP -> Instant.parse(value).compareTo(Instant.parse(other.value));
            case STRING -> value.compareTo(other.value);
        };
    }

    @Override
    public String toString() {
        return serialize();
    }
}
