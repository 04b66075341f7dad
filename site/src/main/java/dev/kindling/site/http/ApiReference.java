package dev.kindling.site.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.site.Adoc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the HTTP API reference of captured services: per pattern, per service, the table of every
 * route its {@code /openapi.json} lists (method, path, summary, link to a captured exchange of it),
 * then the exchanges themselves. {@link #placeholder} writes the page's skeleton when nothing was
 * captured (a build that skipped the tests).
 *
 * <pre>{@code
 * ApiReference.Service sparkpi = new ApiReference.Service("ondemand", "sparkpi", "examples/sparkpi", openApi, exchanges);
 * ApiReference.write(generatedHttp, siteOutput.resolve("openapi"), List.of(sparkpi));
 * }</pre>
 */
public final class ApiReference {
    /** The patterns, in page order, with their section titles. */
    public static final Map<String, String> PATTERNS = Map.of("ondemand", "On-demand batch", "continuous", "Continuous batch",
            "streaming", "Stream processing");
    private static final List<String> ORDER = List.of("ondemand", "continuous", "streaming");

    private ApiReference() {
    }

    /**
     * One captured service.
     *
     * @param pattern   ondemand, continuous or streaming
     * @param name      the service's name (the file names of its fragment and OpenAPI copy)
     * @param source    where it comes from, shown on the page ({@code examples/sparkpi})
     * @param openApi   its {@code /openapi.json} as served
     * @param exchanges the exchanges recorded from it, in order
     */
    public record Service(String pattern, String name, String source, JsonNode openApi, List<Exchange> exchanges) {
    }

    /** A route of a service: upper-case method and path as the OpenAPI document lists them. */
    public record Route(String method, String path, String summary) {
    }

    /** The routes of an OpenAPI document, in its order. */
    public static List<Route> routes(JsonNode openApi) {
        List<Route> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = openApi.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            p.getValue().fields().forEachRemaining(m -> out.add(new Route(m.getKey().toUpperCase(Locale.ROOT), p.getKey(),
                    m.getValue().path("summary").asText(""))));
        }
        return out;
    }

    /** The anchor of a route in the reference: {@code route-sparkpi-get-jobs-id}. */
    public static String anchor(String service, Route r) {
        return Adoc.id("route", service + "-" + r.method() + "-" + r.path());
    }

    /** Writes {@code index.adoc} and one fragment per service into {@code generatedHttp}, the OpenAPI copies into {@code openApiDir}. */
    public static void write(Path generatedHttp, Path openApiDir, List<Service> services) {
        StringBuilder index = new StringBuilder();
        for (String pattern : ORDER) {
            index.append("[#api-").append(pattern).append("]\n== ").append(PATTERNS.get(pattern)).append("\n\n");
            List<Service> of = services.stream().filter(s -> s.pattern().equals(pattern)).toList();
            if (of.isEmpty()) {
                index.append("NOTE: No service of this pattern was captured in this build.\n\n");
            }
            for (Service s : of) {
                write(openApiDir.resolve(s.name() + ".json"), s.openApi().toPrettyString() + "\n");
                write(generatedHttp.resolve(s.name() + ".adoc"), service(s));
                index.append("include::").append(s.name()).append(".adoc[]\n\n");
            }
        }
        write(generatedHttp.resolve("index.adoc"), index.toString());
    }

    /** The page's sections without exchanges, saying that none were captured. */
    public static void placeholder(Path generatedHttp) {
        StringBuilder index = new StringBuilder();
        for (String pattern : ORDER) {
            index.append("[#api-").append(pattern).append("]\n== ").append(PATTERNS.get(pattern)).append("\n\n")
                    .append("NOTE: The exchanges are captured by HttpCaptureIT; this build skipped it.\n\n");
        }
        write(generatedHttp.resolve("index.adoc"), index.toString());
    }

    private static String service(Service s) {
        StringBuilder out = new StringBuilder();
        out.append("[#").append(Adoc.id("service", s.name())).append("]\n=== ").append(s.name()).append("\n\n");
        out.append("The service of ").append(Adoc.code(s.source())).append(". Its OpenAPI 3 document, as it served it: link:openapi/")
                .append(s.name()).append(".json[openapi/").append(s.name()).append(".json].\n\n");
        out.append("[cols=\"2,4,6,2\",options=\"header\"]\n|===\n| Method | Path | What it does | Example\n\n");
        for (Route r : routes(s.openApi())) {
            Exchange example = exampleOf(s, r);
            out.append("| [[").append(anchor(s.name(), r)).append("]]").append(r.method()).append("\n| ").append(Adoc.code(r.path()))
                    .append("\n| ").append(Adoc.text(r.summary())).append("\n| ");
            if (example != null) {
                out.append("<<").append(Exchange.anchor(s.name(), example.id())).append(",").append(example.id()).append(">>");
            }
            out.append("\n\n");
        }
        out.append("|===\n\n");
        for (Exchange e : s.exchanges()) {
            out.append(e.toAdoc(s.name())).append("\n");
        }
        return out.toString();
    }

    /** The first exchange whose method and path match the route's (path parameters match any segment). */
    static Exchange exampleOf(Service s, Route r) {
        String regex = r.path().replaceAll("\\{[^/]+}", "[^/]+");
        for (Exchange e : s.exchanges()) {
            String path = e.path().contains("?") ? e.path().substring(0, e.path().indexOf('?')) : e.path();
            String method = r.method().equals("SSE") ? "GET" : r.method();
            if (e.method().equals(method) && path.matches(regex)) {
                return e;
            }
        }
        return null;
    }

    /** Reads a JSON document. */
    public static JsonNode readJson(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
