package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A connector address such as {@code kafka://h1:9092,h2:9092/words?startingOffsets=earliest},
 * {@code file:/data/in?format=csv}, {@code memory:counts} or {@code range:0..1000}, split into
 * scheme, authority, path and query parameters. Unlike {@link java.net.URI} it accepts several
 * hosts in the authority and opaque forms such as {@code range:0..1000}.
 *
 * <pre>{@code
 * ConnectorUri uri = ConnectorUri.parse("kafka://127.0.0.1:9092/words?startingOffsets=latest");
 * uri.scheme();     // "kafka"
 * uri.authority();  // "127.0.0.1:9092"
 * uri.path();       // "words"
 * uri.query();      // {startingOffsets=latest}
 * }</pre>
 *
 * @param text      the whole text as given (never logged by Kindling when it may hold a secret: see {@link #redacted()})
 * @param scheme    lower-case scheme, e.g. {@code kafka}
 * @param authority the part after {@code //} up to the next {@code /}; empty when there is none
 * @param path      the rest before {@code ?}; for {@code kafka://h/t} it is {@code t}, for {@code file:/a/b} it is {@code /a/b}
 * @param query     the decoded query parameters in order
 */
public record ConnectorUri(String text, String scheme, String authority, String path, Map<String, String> query) {

    public ConnectorUri {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(path, "path");
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /**
     * Parses {@code text}.
     *
     * @throws ConfigurationException when there is no scheme or a query parameter is malformed
     */
    public static ConnectorUri parse(String text) {
        Objects.requireNonNull(text, "uri");
        String trimmed = text.trim();
        int colon = trimmed.indexOf(':');
        if (colon <= 0 || !trimmed.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            throw new ConfigurationException("'" + redact(trimmed) + "' is not a connector URI: it needs a scheme, "
                    + "as in kafka://host:9092/topic, file:/path, jdbc:postgresql://host/db, memory:name, range:0..100, console:");
        }
        String scheme = trimmed.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        String rest = trimmed.substring(colon + 1);
        String queryText = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            queryText = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String authority = "";
        String path = rest;
        if (rest.startsWith("//")) {
            String afterSlashes = rest.substring(2);
            int slash = afterSlashes.indexOf('/');
            authority = slash < 0 ? afterSlashes : afterSlashes.substring(0, slash);
            path = slash < 0 ? "" : afterSlashes.substring(slash);
            if (!scheme.equals("file")) {
                path = path.startsWith("/") ? path.substring(1) : path;
            }
        }
        return new ConnectorUri(trimmed, scheme, authority, path, parseQuery(queryText, trimmed));
    }

    private static Map<String, String> parseQuery(String queryText, String whole) {
        Map<String, String> out = new LinkedHashMap<>();
        if (queryText.isEmpty()) {
            return out;
        }
        for (String pair : queryText.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigurationException("query parameter '" + (eq == 0 ? "=..." : pair) + "' of '" + redact(whole)
                        + "' is not name=value");
            }
            out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The text with the values of secret-looking query parameters and any user-info password replaced by {@code ****}. */
    public String redacted() {
        return redact(text);
    }

    static String redact(String text) {
        return dev.kindling.ipp.Redactor.redact(text);
    }

    @Override
    public String toString() {
        return redacted();
    }
}
