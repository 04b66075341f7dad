package dev.kindling.service;

import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.util.function.Consumer;

/**
 * Where a component or an app adds its HTTP routes. Paths use Javalin's syntax
 * ({@code /jobs/{id}}); a path registered twice for the same method fails the service's build with a
 * message naming both owners. Errors thrown by handlers become {@code application/problem+json}
 * answers (see {@link ProblemException}). Every route is listed, with its summary, in the service's
 * OpenAPI document at {@code GET /openapi.json}.
 *
 * <pre>{@code
 * public void routes(Routes routes) {
 *     routes.get("/top", "the n most frequent words (?n=, 1..100)", ctx -> ctx.json(top(ctx.queryParam("n"))))
 *           .post("/cycles", "runs a cycle now (?wait= up to 10m)", this::requestCycle);
 * }
 * }</pre>
 */
public interface Routes {
    /** A {@code GET} route; {@code summary} is one line for the OpenAPI document (may be empty). */
    Routes get(String path, String summary, Handler handler);

    /** A {@code POST} route. */
    Routes post(String path, String summary, Handler handler);

    /** A {@code PUT} route. */
    Routes put(String path, String summary, Handler handler);

    /** A {@code DELETE} route. */
    Routes delete(String path, String summary, Handler handler);

    /**
     * A Server-Sent Events route (Javalin's {@code sse}) for clients that send
     * {@code Accept: text/event-stream}, as browsers' {@code EventSource} does; other clients get 406.
     * {@code check}, when not null, runs first on the request, before the stream opens: it may throw a
     * {@link ProblemException} (a 404 for an unknown id, say), answered as problem+json instead of a
     * stream. The client is kept open after {@code client} returns only if it calls
     * {@link SseClient#keepAlive()}; open streams hold no request thread and do not delay the drain on
     * shutdown, which closes them with a final {@code shutdown} event.
     */
    Routes sse(String path, String summary, Handler check, Consumer<SseClient> client);

    default Routes get(String path, Handler handler) {
        return get(path, "", handler);
    }

    default Routes post(String path, Handler handler) {
        return post(path, "", handler);
    }

    default Routes put(String path, Handler handler) {
        return put(path, "", handler);
    }

    default Routes delete(String path, Handler handler) {
        return delete(path, "", handler);
    }

    default Routes sse(String path, Consumer<SseClient> client) {
        return sse(path, "", null, client);
    }

    default Routes sse(String path, Handler check, Consumer<SseClient> client) {
        return sse(path, "", check, client);
    }
}
