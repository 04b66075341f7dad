package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The options of one connector: the URI's query parameters merged with an explicit map (the map
 * wins), with typed getters that fail with a message naming the option and the allowed values.
 * {@code toString()} hides every secret-looking value.
 *
 * <pre>{@code
 * Options o = Options.of(Map.of("format", "csv", "header", "true"));
 * String format = o.oneOf("format", "parquet", List.of("csv", "json", "parquet", "text", "orc"));
 * boolean header = o.bool("header", true);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Options {

    private final Map<String, String> values;
    private final Map<String, String> environment;

    private Options(Map<String, String> values, Map<String, String> environment) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.environment = environment;
    }

    public static Options of(Map<String, String> values) {
        return new Options(values, System.getenv());
    }

    /** Options whose {@code *.env} references are looked up in {@code environment} instead of the process's. */
    public static Options of(Map<String, String> values, Map<String, String> environment) {
        return new Options(values, Map.copyOf(environment));
    }

    /** The query parameters of {@code uri}, overridden by {@code explicit}. */
    public static Options merge(ConnectorUri uri, Map<String, String> explicit) {
        Map<String, String> merged = new LinkedHashMap<>(uri.query());
        merged.putAll(explicit);
        return of(merged);
    }

    public Map<String, String> asMap() {
        return values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /** @throws ConfigurationException naming {@code what} (e.g. the connector URI) when the option is missing or blank */
    public String require(String name, String what) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new ConfigurationException(what + " needs the option '" + name + "'");
        }
        return v;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        return number(name, defaultValue, min, max, Integer::parseInt);
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        return number(name, defaultValue, min, max, Long::parseLong);
    }

    private <T extends Comparable<T>> T number(String name, T defaultValue, T min, T max, Function<String, T> parse) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        T n;
        try {
            n = parse.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option '" + name + "' must be a whole number from " + min + " to " + max + "; got '" + v + "'");
        }
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw new ConfigurationException("option '" + name + "' must be from " + min + " to " + max + "; got " + n);
        }
        return n;
    }

    public boolean bool(String name, boolean defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException("option '" + name + "' must be true or false; got '" + v + "'");
        };
    }

    /** The option's value, which must be one of {@code allowed} (compared case-insensitively, returned lower-case). */
    public String oneOf(String name, String defaultValue, List<String> allowed) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        String lower = v.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw new ConfigurationException("option '" + name + "' must be one of " + String.join(", ", allowed) + "; got '" + v + "'");
        }
        return lower;
    }

    /**
     * A secret given as {@code name}, {@code name.env} (the environment variable holding it) or
     * {@code name.file} (the file holding it); at most one of the three.
     */
    public Optional<Secret> secret(String name) {
        String direct = values.get(name);
        String env = values.get(name + ".env");
        String file = values.get(name + ".file");
        int given = (direct != null ? 1 : 0) + (env != null ? 1 : 0) + (file != null ? 1 : 0);
        if (given > 1) {
            throw new ConfigurationException("options '" + name + "', '" + name + ".env' and '" + name
                    + ".file' exclude each other: give one");
        }
        if (direct != null) {
            return Optional.of(Secret.of(direct));
        }
        if (env != null) {
            String v = environment.get(env);
            if (v == null) {
                throw new ConfigurationException("option '" + name + ".env' names the environment variable " + env + ", which is not set");
            }
            return Optional.of(Secret.of(v));
        }
        if (file != null) {
            try {
                return Optional.of(Secret.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).strip()));
            } catch (IOException e) {
                throw new ConfigurationException("option '" + name + ".file' names " + file + ", which cannot be read: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The entries whose names start with {@code prefix}, with the prefix kept. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Whether the name looks like it holds a secret (password, token, secret, JAAS config, credentials). */
    public static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".env") || lower.endsWith(".file")) {
            return false;
        }
        return dev.kindling.ipp.Redactor.isSecretName(lower);
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, isSecretName(k) ? "****" : v));
        return shown.toString();
    }
}
