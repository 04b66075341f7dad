package dev.kindling.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A battery of hostile requests against a running service, over real HTTP: for every JSON endpoint,
 * each field of a valid body replaced by a value of the wrong type, {@code NaN}, overflowing numbers
 * and NUL bytes; array, scalar, empty, malformed and 20 MB bodies; a wrong content type; no token, a
 * wrong token, the {@code bearer} scheme in lower case; for every GET endpoint the same for its query
 * parameters; for every action (a POST that takes no body, such as {@code /pause}) its query parameters,
 * JSON bodies of every shape (which it may ignore), a 20 MB body, a wrong content type and the token
 * cases; 200 event streams opened at once. Every answer must be a 4xx with
 * {@code application/problem+json} or a 429 with {@code Retry-After} — never a 5xx, never a 2xx for
 * input of the wrong type — and the service must answer normally afterwards.
 *
 * <pre>{@code
 * List<String> violations = HostileInputs.against(service.port()).token("t0ken")
 *         .post("/jobs/sparkpi", "{\"samples\": 1000, \"partitions\": 2}")
 *         .get("/sparkpi?samples=1000&partitions=2")
 *         .stream("/jobs/" + id + "/events")
 *         .healthyAfter("/sparkpi?samples=1000")
 *         .run();
 * assertThat(violations).isEmpty();
 * }</pre>
 */
public final class HostileInputs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BIG_BODY = 20 * 1024 * 1024;

  private final String base;
  private final List<String> violations = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String token;
  private final Map<String, String> posts = new LinkedHashMap<>();
  private final List<String> gets = new ArrayList<>();
  private final List<String> actions = new ArrayList<>();
  private final List<String> streams = new ArrayList<>();
  private final List<String> healthy = new ArrayList<>();

  private HostileInputs(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** A battery against {@code http://127.0.0.1:PORT}. */
  public static HostileInputs against(int port) {
    return new HostileInputs(port);
  }

  /** The service's token; without one the token cases are skipped. */
  public HostileInputs token(String token) {
    this.token = Objects.requireNonNull(token, "token");
    return this;
  }

  /** A JSON endpoint and a valid body (a JSON object) whose fields the battery varies. */
  public HostileInputs post(String path, String validBody) {
    posts.put(path, validBody);
    return this;
  }

  /** A GET endpoint with valid query parameters that the battery varies. */
  public HostileInputs get(String pathAndQuery) {
    gets.add(pathAndQuery);
    return this;
  }

  /**
   * A POST that takes no body (an action such as {@code /cycles} or {@code /pause}), with valid query
   * parameters that the battery varies. JSON bodies may be ignored (any answer but a 5xx passes); a
   * 20 MB body, a body that is not JSON and the token cases must be refused.
   */
  public HostileInputs action(String pathAndQuery) {
    actions.add(pathAndQuery);
    return this;
  }

  /** An event-stream endpoint the battery opens 200 times at once. */
  public HostileInputs stream(String path) {
    streams.add(path);
    return this;
  }

  /** A GET that must answer 200 once the battery is over. */
  public HostileInputs healthyAfter(String path) {
    healthy.add(path);
    return this;
  }

  /** Runs the battery; returns what broke the rules, one line each (empty when nothing did). */
  public List<String> run() {
    posts.forEach(this::attackPost);
    gets.forEach(this::attackGet);
    actions.forEach(this::attackAction);
    streams.forEach(this::attackStream);
    for (String path : healthy) {
      HttpResponse<String> r = send(request(path).GET(), true);
      if (r == null || r.statusCode() != 200) {
        violations.add("after the battery GET " + path + " answered " + (r == null ? "nothing" : r.statusCode() + " " + r.body()));
      }
    }
    return List.copyOf(violations);
  }

  private void attackPost(String path, String validBody) {
    JsonNode valid;
    try {
      valid = JSON.readTree(validBody);
    } catch (IOException e) {
      throw new IllegalArgumentException("the valid body of " + path + " is not JSON: " + validBody, e);
    }
    if (valid.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = valid.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        for (JsonNode bad : wrongTypes(f.getValue())) {
          check("POST " + path + " with " + f.getKey() + "=" + bad, postJson(path, with(valid, f.getKey(), bad).toString()), true);
        }
        String raw = with(valid, f.getKey(), JsonNodeFactory.instance.textNode("@@")).toString();
        for (String literal : List.of("NaN", "1e309", "-1e309", "9223372036854775808", "99999999999999999999999999")) {
          check("POST " + path + " with " + f.getKey() + "=" + literal, postJson(path, raw.replace("\"@@\"", literal)),
              !f.getValue().isNumber());
        }
        check("POST " + path + " with a NUL byte in " + f.getKey(),
            postJson(path, with(valid, f.getKey(), JsonNodeFactory.instance.textNode("a\u0000b")).toString()), !f.getValue().isTextual());
      }
    }
    for (String body : List.of("[]", "[" + validBody + "]", "\"text\"", "null", "42", "{", "{\"a\":", "\u0000\u0000")) {
      check("POST " + path + " with body " + printable(body), postJson(path, body), true);
    }
    check("POST " + path + " with a 20 MB body", postJson(path, "{\"x\":\"" + "a".repeat(BIG_BODY) + "\"}"), true);
    check("POST " + path + " as text/plain", send(request(path).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(validBody)), true), true);
    attackToken("POST " + path, () -> request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(validBody)));
  }

  private void attackGet(String pathAndQuery) {
    String path = path(pathAndQuery);
    Map<String, String> params = params(pathAndQuery);
    attackParams("GET", path, params, pq -> request(pq).GET());
    check("GET " + path + " with an unknown parameter", send(request(path + query(params) + (params.isEmpty() ? "?" : "&")
        + "zz_unknown=1").GET(), true), false);
    attackToken("GET " + path, () -> request(pathAndQuery).GET());
  }

  private void attackAction(String pathAndQuery) {
    String path = path(pathAndQuery);
    Map<String, String> params = params(pathAndQuery);
    attackParams("POST", path, params, pq -> request(pq).POST(HttpRequest.BodyPublishers.noBody()));
    for (String body : List.of("{}", "[]", "\"text\"", "null", "42", "{", "{\"a\":", "\u0000\u0000")) {
      check("POST " + path + " with body " + printable(body), postJson(pathAndQuery, body), false);
    }
    check("POST " + path + " with a 20 MB body", postJson(pathAndQuery, "{\"x\":\"" + "a".repeat(BIG_BODY) + "\"}"), true);
    check("POST " + path + " as text/plain", send(request(pathAndQuery).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("go")), true), true);
    attackToken("POST " + path, () -> request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** Each query parameter replaced by values of the wrong type, overflowing, empty, with a NUL byte; then given twice. */
  private void attackParams(String method, String path, Map<String, String> params, Function<String, HttpRequest.Builder> request) {
    for (String name : params.keySet()) {
      for (String bad : List.of("x", "NaN", "1e309", "-1", "99999999999999999999999999", "a\u0000b", "", "true")) {
        Map<String, String> varied = new LinkedHashMap<>(params);
        varied.put(name, bad);
        boolean wrongType = !bad.isEmpty() && (!bad.matches("-?\\d+") || bad.length() > 18);
        check(method + " " + path + " with " + name + "=" + printable(bad), send(request.apply(path + query(varied)), true),
            wrongType && params.get(name).matches("-?\\d+"));
      }
      check(method + " " + path + " with " + name + " twice", send(request.apply(path + query(params) + "&" + name + "=1"), true),
          false);
    }
  }

  /** Without a token and with a wrong one: refused; with the scheme in lower case: not refused for want of a token. */
  private void attackToken(String what, Supplier<HttpRequest.Builder> request) {
    if (token == null) {
      return;
    }
    check(what + " without a token", send(request.get(), false), true);
    check(what + " with a wrong token", send(request.get().header("Authorization", "Bearer not-" + token), false), true);
    HttpResponse<String> lower = send(request.get().header("Authorization", "bearer " + token), false);
    check(what + " with the scheme 'bearer'", lower, false);
    if (lower != null && lower.statusCode() == 401) {
      violations.add(what + " with the scheme 'bearer' (lower case) was refused: 401");
    }
  }

  private static String path(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  private static Map<String, String> params(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0) {
      for (String pair : pathAndQuery.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        params.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    return params;
  }

  private void attackStream(String path) {
    List<CompletableFuture<HttpResponse<InputStream>>> open = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      HttpRequest.Builder b = request(path).header("Accept", "text/event-stream").GET();
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      open.add(client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }
    for (CompletableFuture<HttpResponse<InputStream>> f : open) {
      try {
        HttpResponse<InputStream> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        if (r.statusCode() >= 500) {
          violations.add("GET " + path + " (one of 200 streams) answered " + r.statusCode());
        } else if (r.statusCode() >= 400 && r.statusCode() != 429
            && !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
          violations.add("GET " + path + " (one of 200 streams) answered " + r.statusCode() + " without problem+json");
        } else if (r.statusCode() == 429 && r.headers().firstValue("Retry-After").isEmpty()) {
          violations.add("GET " + path + " (one of 200 streams) answered 429 without Retry-After");
        }
        r.body().close();
      } catch (Exception e) {
        violations.add("GET " + path + " (one of 200 streams) failed: " + e);
      }
    }
  }

  private void check(String what, HttpResponse<String> r, boolean mustBeRefused) {
    if (r == null) {
      violations.add(what + ": no answer (the connection failed)");
      return;
    }
    int s = r.statusCode();
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (s >= 500) {
      violations.add(what + ": " + s + " " + shorten(r.body()));
    } else if (s >= 400 && s != 429 && !type.startsWith("application/problem+json")) {
      violations.add(what + ": " + s + " without application/problem+json (" + type + ")");
    } else if (s == 429 && r.headers().firstValue("Retry-After").isEmpty()) {
      violations.add(what + ": 429 without Retry-After");
    } else if (mustBeRefused && s < 400) {
      violations.add(what + ": accepted with " + s + " " + shorten(r.body()));
    }
  }

  private HttpResponse<String> postJson(String path, String body) {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), true);
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60));
  }

  private HttpResponse<String> send(HttpRequest.Builder b, boolean withToken) {
    if (withToken && token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = b.build();
    for (int attempt = 1; ; attempt++) {
      try {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        // a kept-alive connection that the server closed after its last answer (a refused 20 MB body, say) fails
        // when the client reuses it; the second try goes over a new connection, so only a server that drops
        // connections it should answer on counts as "no answer"
        if (attempt == 2) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  private static List<JsonNode> wrongTypes(JsonNode original) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<JsonNode> out = new ArrayList<>();
    if (!original.isTextual()) {
      out.add(f.textNode("x"));
    }
    if (!original.isBoolean()) {
      out.add(f.booleanNode(true));
    }
    out.add(f.arrayNode());
    out.add(f.objectNode());
    return out;
  }

  private static ObjectNode with(JsonNode valid, String field, JsonNode value) {
    ObjectNode copy = valid.deepCopy();
    copy.set(field, value);
    return copy;
  }

  private static String query(Map<String, String> params) {
    if (params.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("?");
    params.forEach((k, v) -> out.append(out.length() > 1 ? "&" : "").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return out.toString();
  }

  private static String printable(String s) {
    return shorten(s.replace("\u0000", "\\0"));
  }

  private static String shorten(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
