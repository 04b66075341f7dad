package dev.kindling.site.http;

import dev.kindling.site.Adoc;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to a running service and the answer it got, as the API reference shows it: the
 * request as a {@code curl} command against {@code localhost:8080} (the default port), the answer as
 * its status line, the headers that matter and the body (JSON indented).
 *
 * <pre>{@code
 * Exchange e = recorder.get("sync", "A seeded estimate", "/sparkpi?samples=1000000&seed=42");
 * e.status();        // 200
 * e.toAdoc("sparkpi");
 * }</pre>
 *
 * @param id           unique in its service: the fragment's file name and anchor
 * @param title        what the exchange shows
 * @param method       GET, POST, DELETE, ...
 * @param path         path and query
 * @param requestHeaders headers the request sent that a reader must send too (shown in the curl command)
 * @param requestBody  the body sent, or null
 * @param status       the answer's status code
 * @param responseHeaders the answer's headers worth showing (Content-Type, Location, Retry-After, ...)
 * @param responseBody the body as shown (JSON indented; long bodies cut with {@code note} saying so)
 * @param note         a sentence after the exchange, or null
 */
public record Exchange(String id, String title, String method, String path, Map<String, String> requestHeaders, String requestBody,
                       int status, Map<String, String> responseHeaders, String responseBody, String note) {
    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"), Map.entry(201, "Created"),
            Map.entry(202, "Accepted"), Map.entry(204, "No Content"), Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(409, "Conflict"), Map.entry(413, "Content Too Large"),
            Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    public Exchange {
        Objects.requireNonNull(id, "id");
        requestHeaders = Map.copyOf(requestHeaders);
        responseHeaders = Map.copyOf(responseHeaders);
    }

    /** The anchor of this exchange in the pages: {@code exchange-sparkpi-sync}. */
    public static String anchor(String service, String id) {
        return Adoc.id("exchange", service + "-" + id);
    }

    /** The request as a reader types it. */
    public String curl() {
        StringBuilder c = new StringBuilder("curl -s -i");
        if (requestHeaders.containsKey("Accept") && requestHeaders.get("Accept").equals("text/event-stream")) {
            c.append(" -N");
        }
        if (!method.equals("GET")) {
            c.append(" -X ").append(method);
        }
        c.append(" 'localhost:8080").append(path).append("'");
        requestHeaders.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(h -> {
            String value = h.getKey().equals("Authorization") ? "Bearer $KINDLING_AUTH_TOKEN" : h.getValue();
            c.append(" -H ").append(value.contains("$") ? "\"" + h.getKey() + ": " + value + "\"" : "'" + h.getKey() + ": " + value + "'");
        });
        if (requestBody != null) {
            c.append(" -d '").append(requestBody).append("'");
        }
        return c.toString();
    }

    /** The answer as HTTP text: status line, headers, a blank line, the body. */
    public String response() {
        StringBuilder r = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(REASONS.getOrDefault(status, "")).append('\n');
        responseHeaders.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(h -> r.append(h.getKey()).append(": ").append(h.getValue()).append('\n'));
        if (responseBody != null && !responseBody.isEmpty()) {
            r.append('\n').append(responseBody);
        }
        return r.toString();
    }

    /** The AsciiDoc fragment: an anchor, the title, the request and the answer, and the note. */
    public String toAdoc(String service) {
        StringBuilder out = new StringBuilder();
        out.append("[#").append(anchor(service, id)).append("]\n.").append(title.replace("\n", " ")).append('\n');
        out.append(Adoc.listing("source,shell", "request", curl()));
        out.append(Adoc.listing("source,http", "response", response()));
        if (note != null) {
            out.append('\n').append(Adoc.text(note)).append('\n');
        }
        return out.toString();
    }
}
