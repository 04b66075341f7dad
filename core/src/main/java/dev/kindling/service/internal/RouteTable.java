package dev.kindling.service.internal;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.Component;
import dev.kindling.service.Routes;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Every HTTP route of a service with its owner (the service itself, a component, or the app),
 * collected before the server starts so that a path registered twice fails with both owners named,
 * and so that the routes can be listed.
 */
public final class RouteTable {
    /** One route: method ({@code GET}, ..., {@code SSE}), Javalin path, owner, summary, handler (the check of an SSE route). */
    public record Route(String method, String path, String owner, String summary, Handler handler, Consumer<SseClient> sse) {
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();

    /**
     * The routes of service {@code service}: its components' (each under {@code component NAME}), then the
     * app's, checked against the control plane's own paths, which no one else may register.
     */
    public static RouteTable of(String service, List<Component> components, List<Consumer<Routes>> app) {
        RouteTable table = new RouteTable();
        Routes own = table.owner("the service");
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/status", "/openapi.json")) {
            own.get(path, ctx -> { });
        }
        components.forEach(c -> c.routes(table.owner("component " + c.name())));
        app.forEach(r -> r.accept(table.owner("service " + service)));
        return table.withoutOwner("the service");
    }

    /** A {@link Routes} view whose routes are owned by {@code owner}. */
    public Routes owner(String owner) {
        Objects.requireNonNull(owner, "owner");
        return new Routes() {
            @Override
            public Routes get(String path, String summary, Handler handler) {
                add(new Route("GET", path, owner, summary, Objects.requireNonNull(handler, "handler"), null));
                return this;
            }

            @Override
            public Routes post(String path, String summary, Handler handler) {
                add(new Route("POST", path, owner, summary, Objects.requireNonNull(handler, "handler"), null));
                return this;
            }

            @Override
            public Routes put(String path, String summary, Handler handler) {
                add(new Route("PUT", path, owner, summary, Objects.requireNonNull(handler, "handler"), null));
                return this;
            }

            @Override
            public Routes delete(String path, String summary, Handler handler) {
                add(new Route("DELETE", path, owner, summary, Objects.requireNonNull(handler, "handler"), null));
                return this;
            }

            @Override
            public Routes sse(String path, String summary, Handler check, Consumer<SseClient> client) {
                add(new Route("SSE", path, owner, summary, check, Objects.requireNonNull(client, "client")));
                return this;
            }
        };
    }

    private synchronized void add(Route route) {
        Objects.requireNonNull(route.path(), "path");
        Objects.requireNonNull(route.summary(), "summary");
        if (!route.path().startsWith("/")) {
            throw new ConfigurationException(route.owner() + ": a route path starts with '/'; got '" + route.path() + "'");
        }
        String method = route.method().equals("SSE") ? "GET" : route.method();
        String key = method + " " + normalise(route.path());
        Route before = routes.putIfAbsent(key, route);
        if (before != null) {
            throw new ConfigurationException("the route " + method + " " + route.path() + " is registered twice: by "
                    + before.owner() + " and by " + route.owner() + "; give one of them another path (a prefix)");
        }
    }

    /** {@code /jobs/{id}} and {@code /jobs/{name}} are the same route to the router. */
    private static String normalise(String path) {
        return path.replaceAll("\\{[^}/]*}", "{}").replaceAll("<[^>/]*>", "<>");
    }

    /** A copy without the routes of {@code owner} (reserved paths that the server serves itself). */
    public synchronized RouteTable withoutOwner(String owner) {
        RouteTable copy = new RouteTable();
        routes.forEach((k, v) -> {
            if (!v.owner().equals(owner)) {
                copy.routes.put(k, v);
            }
        });
        return copy;
    }

    /** The routes, in the order they were added. */
    public synchronized List<Route> routes() {
        return List.copyOf(new ArrayList<>(routes.values()));
    }

}
