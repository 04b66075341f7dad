package dev.kindling.site.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Sends requests to one running service over real HTTP and records each exchange for the API
 * reference; {@link #ask} sends without recording (to wait for a state).
 *
 * <pre>{@code
 * HttpRecorder http = new HttpRecorder(service.port(), null);
 * Exchange sync = http.get("sync", "A seeded estimate", "/sparkpi?samples=1000000&seed=42");
 * http.exchanges();   // every recorded exchange, in order
 * }</pre>
 */
public final class HttpRecorder {
    private static final List<String> SHOWN_HEADERS = List.of("Content-Type", "Location", "Retry-After", "WWW-Authenticate", "Allow");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;
    private final List<Exchange> exchanges = new ArrayList<>();

    /** A recorder for the service on {@code port} of 127.0.0.1; {@code token}, when not null, is sent on every request (a service with a token asks for it on every route but the probes). */
    public HttpRecorder(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** A GET, recorded. */
    public Exchange get(String id, String title, String path) {
        return record(id, title, "GET", path, auth(Map.of()), null, UnaryOperator.identity(), null);
    }

    /** A GET whose body is cut by {@code shown} (a long page), with a note saying what was left out. */
    public Exchange get(String id, String title, String path, UnaryOperator<String> shown, String note) {
        return record(id, title, "GET", path, auth(Map.of()), null, shown, note);
    }

    /** A POST with a JSON body (or none when {@code body} is null), recorded; with the token when the recorder has one. */
    public Exchange post(String id, String title, String path, String body) {
        return record(id, title, "POST", path, auth(body == null ? Map.of() : Map.of("Content-Type", "application/json")), body,
                UnaryOperator.identity(), null);
    }

    /** A POST without the token, recorded (to show the 401). */
    public Exchange postWithoutToken(String id, String title, String path) {
        return record(id, title, "POST", path, Map.of(), null, UnaryOperator.identity(), null);
    }

    /** A DELETE, recorded. */
    public Exchange delete(String id, String title, String path) {
        return record(id, title, "DELETE", path, auth(Map.of()), null, UnaryOperator.identity(), null);
    }

    /** A GET of a Server-Sent Events stream, read until the service closes it (at most {@code limit}), recorded. */
    public Exchange events(String id, String title, String path, Duration limit) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/event-stream").GET().build();
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r;
        try {
            r = answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IllegalStateException("the event stream " + path + " did not close within " + limit, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e.getCause(), e.getCause());
        }
        Exchange e = new Exchange(id, title, "GET", path, Map.of("Accept", "text/event-stream"), null, r.statusCode(), shownHeaders(r),
                r.body().strip(), null);
        add(e);
        return e;
    }

    /** Sends a request without recording it; returns the status and the JSON body (null when it is not JSON). */
    public Answer ask(String method, String path, String body) {
        HttpResponse<String> r = send(method, path, auth(Map.of()), body);
        return new Answer(r.statusCode(), parse(r.body()));
    }

    /** The body of a GET, not recorded. */
    public String raw(String path) {
        return send("GET", path, Map.of(), null).body();
    }

    /** The status and JSON body of a request that was not recorded. */
    public record Answer(int status, JsonNode json) {
    }

    /** Reads the JSON body of a recorded exchange (its raw JSON is indented, not changed). */
    public static JsonNode json(Exchange e) {
        return parse(e.responseBody());
    }

    private Exchange record(String id, String title, String method, String path, Map<String, String> headers, String body,
                            UnaryOperator<String> shown, String note) {
        HttpResponse<String> r = send(method, path, headers, body);
        Exchange e = new Exchange(id, title, method, path, headers, body, r.statusCode(), shownHeaders(r),
                shown.apply(pretty(r.body(), r.headers().firstValue("Content-Type").orElse(""))), note);
        add(e);
        return e;
    }

    private void add(Exchange e) {
        if (exchanges.stream().anyMatch(x -> x.id().equals(e.id()))) {
            throw new IllegalArgumentException("exchange id used twice: " + e.id());
        }
        exchanges.add(e);
    }

    private Map<String, String> auth(Map<String, String> headers) {
        if (token == null) {
            return headers;
        }
        Map<String, String> with = new LinkedHashMap<>(headers);
        with.put("Authorization", "Bearer " + token);
        return with;
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> shownHeaders(HttpResponse<?> r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String h : SHOWN_HEADERS) {
            r.headers().firstValue(h).ifPresent(v -> out.put(h, v));
        }
        return out;
    }

    private static String pretty(String body, String contentType) {
        if (!contentType.contains("json")) {
            return body;
        }
        JsonNode n = parse(body);
        try {
            return n == null ? body : JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The lines of {@code text} that start with one of {@code prefixes}. */
    public static String linesStartingWith(String text, String... prefixes) {
        return text.lines().filter(l -> {
            for (String p : prefixes) {
                if (l.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }).collect(Collectors.joining("\n"));
    }

    /** The first {@code n} lines of {@code text}. */
    public static String firstLines(String text, int n) {
        return text.lines().limit(n).collect(Collectors.joining("\n"));
    }
}
