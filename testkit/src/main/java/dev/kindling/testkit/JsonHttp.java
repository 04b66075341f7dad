package dev.kindling.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small HTTP client for tests of services over a real socket: JSON bodies parsed, an optional
 * bearer token sent on every request (a service with a token set asks for it on every route but
 * {@code /healthz} and {@code /readyz}); {@link #withoutToken()} is the same client without it.
 *
 * <pre>{@code
 * JsonHttp http = new JsonHttp(service.port(), "t0ken");
 * JsonHttp.Response r = http.post("/jobs/sparkpi?wait=30s", "{\"samples\": 1000}");
 * assertThat(r.status()).isEqualTo(200);
 * assertThat(r.json().get("state").asText()).isEqualTo("SUCCEEDED");
 * }</pre>
 *
 * <p>Thread-safe; every call blocks for at most 60 seconds.
 */
public final class JsonHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, the body parsed when it is JSON (else null), the body as text, the raw response. */
    public record Response(int status, JsonNode json, String body, HttpResponse<String> raw) {
        /** The first value of a header, or null. */
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    /** A client for {@code http://127.0.0.1:PORT}; {@code token} (may be null) goes on every request as {@code Bearer}. */
    public JsonHttp(int port, String token) {
        this("http://127.0.0.1:" + port, token);
    }

    private JsonHttp(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same service, without the token: to check that a route asks for it. */
    public JsonHttp withoutToken() {
        return new JsonHttp(base, null);
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), true);
    }

    public Response post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), true);
    }


    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), true);
    }

    public Response method(String method, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()), true);
    }

    /**
     * Opens a stream of Server-Sent Events ({@code Accept: text/event-stream}) and returns its lines as
     * they arrive; close the stream when done.
     */
    public HttpResponse<java.util.stream.Stream<String>> events(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "text/event-stream").GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    }

    public HttpResponse<java.util.stream.Stream<String>> lines(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    }

    private Response send(HttpRequest.Builder b, boolean auth) {
        if (auth && token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), json, r.body(), r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
