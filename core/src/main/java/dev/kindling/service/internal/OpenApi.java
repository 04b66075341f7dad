package dev.kindling.service.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3 document of a service, made from the routes it really registered (the route table)
 * and the control plane's own: every path and method, its owner as a tag, its summary, its path
 * parameters, and the problem+json answers every route may give.
 */
public final class OpenApi {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");

    private OpenApi() {
    }

    /** The control plane's own routes: method, path, summary. */
    public static final List<RouteTable.Route> CONTROL_PLANE = List.of(
            new RouteTable.Route("GET", "/healthz", "the service", "liveness: 200 while the process serves; 503 once a component "
                    + "has been FAILED for kindling.service.liveness-failure-grace", null, null),
            new RouteTable.Route("GET", "/readyz", "the service", "readiness: 200 when every component is ready, else 503 with "
                    + "each check's reason", null, null),
            new RouteTable.Route("GET", "/metrics", "the service", "Prometheus text: JVM, HTTP and the components' meters", null, null),
            new RouteTable.Route("GET", "/status", "the service", "the service and every component: pattern, state, since, ready, "
                    + "readiness, lastError, details", null, null),
            new RouteTable.Route("GET", "/openapi.json", "the service", "this document", null, null));

    /** The document as nested maps, ready for JSON. */
    public static Map<String, Object> document(String service, String version, List<RouteTable.Route> routes) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("title", service);
        info.put("version", version);
        info.put("description", "The HTTP API of the Kindling service " + service + ", generated from its registered routes.");
        doc.put("info", info);
        Map<String, Object> paths = new LinkedHashMap<>();
        List<RouteTable.Route> all = new ArrayList<>(CONTROL_PLANE);
        all.addAll(routes);
        for (RouteTable.Route r : all) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(openApiPath(r.path()), k -> new LinkedHashMap<>());
            String method = r.method().equals("SSE") ? "get" : r.method().toLowerCase(Locale.ROOT);
            item.put(method, operation(r));
        }
        doc.put("paths", paths);
        doc.put("components", Map.of("schemas", Map.of("Problem", problemSchema())));
        return doc;
    }

    /** {@code /jobs/{id}} stays; Javalin's {@code <name>} wildcard segments become {@code {name}}. */
    static String openApiPath(String path) {
        return path.replaceAll("<([^>/]+)>", "{$1}");
    }

    private static Map<String, Object> operation(RouteTable.Route r) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("tags", List.of(r.owner()));
        op.put("summary", r.summary().isEmpty() ? r.method() + " " + r.path() : r.summary());
        op.put("operationId", (r.method() + r.path()).replaceAll("[^A-Za-z0-9]+", "_").replaceAll("_+$", ""));
        List<Map<String, Object>> params = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(openApiPath(r.path()));
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (r.method().equals("POST") || r.method().equals("PUT")) {
            op.put("requestBody", Map.of("required", false, "content", Map.of("application/json", Map.of("schema", Map.of("type", "object")))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        String type = r.method().equals("SSE") ? "text/event-stream" : r.path().equals("/metrics") ? "text/plain" : "application/json";
        responses.put("200", Map.of("description", r.method().equals("SSE") ? "a stream of Server-Sent Events" : "OK",
                "content", Map.of(type, Map.of())));
        Map<String, Object> problem = Map.of("description", "an error, as RFC 9457 problem details",
                "content", Map.of("application/problem+json", Map.of("schema", Map.of("$ref", "#/components/schemas/Problem"))));
        responses.put("4XX", problem);
        responses.put("5XX", problem);
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> problemSchema() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("type", Map.of("type", "string"));
        props.put("title", Map.of("type", "string"));
        props.put("status", Map.of("type", "integer"));
        props.put("detail", Map.of("type", "string"));
        return Map.of("type", "object", "required", List.of("type", "title", "status", "detail"), "properties", props);
    }
}
