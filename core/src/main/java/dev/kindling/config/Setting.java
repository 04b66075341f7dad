package dev.kindling.config;

import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed setting: a name, the environment variable that may set it, a default, a parser and a
 * doc string. Declare settings as constants and read them through {@link Settings}:
 *
 * <pre>{@code
 * static final Setting<Integer> PORT = Setting.integer("kindling.http.port", 8080, 0, 65535,
 *         "HTTP port of the control plane; 0 picks a free port").env("PORT");
 * int port = Settings.fromEnvironment().get(PORT);
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link Settings#describe} lists settings as a reference table.
 *
 * @param <T> the value type
 */
public final class Setting<T> {
    private final String name;
    private final String env;
    private final T defaultValue;
    private final String doc;
    private final String allowed;
    private final boolean secret;
    private final Function<String, T> parser;

    private Setting(String name, String env, T defaultValue, String doc, String allowed, boolean secret,
                    Function<String, T> parser) {
        this.name = Objects.requireNonNull(name, "name");
        this.env = Objects.requireNonNull(env, "env");
        this.defaultValue = defaultValue;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.secret = secret;
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** The environment variable derived from a name: {@code kindling.http.port} gives {@code KINDLING_HTTP_PORT}. */
    public static String envNameOf(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A string setting; {@code defaultValue} may be null (unset). */
    public static Setting<String> string(String name, String defaultValue, String doc) {
        return new Setting<>(name, envNameOf(name), defaultValue, doc, "any text", false, s -> s);
    }

    /**
     * A secret string (password, token): never shown by {@link Settings#describe} or in messages; every
     * value read is registered with the {@link dev.kindling.ipp.Redactor}.
     */
    public static Setting<String> secret(String name, String doc) {
        return new Setting<>(name, envNameOf(name), null, doc, "any text; also read from the file named by "
                + envNameOf(name) + "_FILE", true, s -> {
                    for (String part : s.split("[,\\s]+")) {
                        dev.kindling.ipp.Redactor.register(part);
                    }
                    dev.kindling.ipp.Redactor.register(s);
                    return s;
                });
    }

    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
        return new Setting<>(name, envNameOf(name), defaultValue, doc, min + ".." + max, false, s -> {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("out of range");
            }
            return v;
        });
    }

    public static Setting<Long> longValue(String name, long defaultValue, long min, long max, String doc) {
        return new Setting<>(name, envNameOf(name), defaultValue, doc, min + ".." + max, false, s -> {
            long v;
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("out of range");
            }
            return v;
        });
    }

    public static Setting<Boolean> bool(String name, boolean defaultValue, String doc) {
        return new Setting<>(name, envNameOf(name), defaultValue, doc, "true, false", false, s -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw new IllegalArgumentException("not true or false");
        });
    }

    /** A duration written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
    public static Setting<Duration> duration(String name, Duration defaultValue, String doc) {
        return new Setting<>(name, envNameOf(name), defaultValue, doc, "a duration such as 500ms, 30s, 5m, 1h",
                false, Setting::parseDuration);
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601. */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("unknown unit");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration (500ms, 30s, 5m, 1h)");
        }
    }

    /** Writes {@code d} the way settings are written: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    /** A copy read from the environment variable {@code envName} instead of the derived one. */
    public Setting<T> env(String envName) {
        return new Setting<>(name, envName, defaultValue, doc, allowed, secret, parser);
    }

    /** A copy whose values must be one of {@code values} (for string settings), listed in messages. */
    public Setting<T> oneOf(String... values) {
        java.util.List<String> list = java.util.List.of(values);
        return new Setting<>(name, env, defaultValue, doc, String.join(", ", list), secret, s -> {
            if (!list.contains(s.trim())) {
                throw new IllegalArgumentException("not one of the allowed values");
            }
            return parser.apply(s.trim());
        });
    }

    public String name() {
        return name;
    }

    public String env() {
        return env;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    public String allowed() {
        return allowed;
    }

    public boolean isSecret() {
        return secret;
    }

    /** Parses {@code raw}; {@code from} says where it came from, for the message. */
    T parse(String raw, String from) {
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            String shown = secret ? "****" : "'" + raw + "'";
            throw new ConfigurationException("setting " + name + " (from " + from + ") is " + shown + ": "
                    + e.getMessage() + "; allowed: " + allowed);
        }
    }

    @Override
    public String toString() {
        return "Setting[" + name + " / $" + env + ", default " + (secret ? "none" : defaultValue) + "]";
    }
}
