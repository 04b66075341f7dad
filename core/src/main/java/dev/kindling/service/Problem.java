package dev.kindling.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 * It never holds a stack trace.
 *
 * <pre>{@code
 * throw new ProblemException(Problem.of(404, "Unknown job", "no job has the id 42"));
 * }</pre>
 *
 * @param type     a URI naming the kind of problem; {@code about:blank} when the status says enough
 * @param title    a short summary of the kind of problem
 * @param status   the HTTP status
 * @param detail   what happened this time and, where it helps, how to fix it
 * @param extra    further members, e.g. {@code field} or {@code allowed}; may be empty
 */
public record Problem(String type, String title, int status, String detail, Map<String, Object> extra) {
    /** The media type of problem responses. */
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, Map.of());
    }

    /** The standard reason phrase of an HTTP status, used as a problem's title. */
    public static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }

    /** A copy whose title, detail and text members have passed through the {@link dev.kindling.ipp.Redactor}. */
    public Problem redacted() {
        Map<String, Object> m = new LinkedHashMap<>();
        extra.forEach((k, v) -> m.put(k, v instanceof String text ? dev.kindling.ipp.Redactor.redact(text) : v));
        return new Problem(type, dev.kindling.ipp.Redactor.redact(title), status, dev.kindling.ipp.Redactor.redact(detail), m);
    }

    /** A copy with one more member. */
    public Problem with(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put(name, value);
        return new Problem(type, title, status, detail, m);
    }

    /** The JSON object: type, title, status, detail, then the extra members. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("title", title);
        m.put("status", status);
        m.put("detail", detail);
        m.putAll(extra);
        return m;
    }
}
