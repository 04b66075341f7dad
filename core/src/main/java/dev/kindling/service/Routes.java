package dev.kindling.service;

import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.util.function.Consumer;

/**
 * Where a component or an app adds its HTTP routes. Paths use Javalin's syntax
 * ({@code /jobs/{id}}); a path registered twice for the same method fails the service's build with a
 * message naming both owners. Errors thrown by handlers become {@code application/problem+json}
 * answers (see {@link ProblemException}).
 *
 * <pre>{@code
 * public void routes(Routes routes) {
 *     routes.get("/top", ctx -> ctx.json(top(ctx.queryParam("n"))))
 *           .post("/cycles", this::requestCycle);
 * }
 * }</pre>
 */
public interface Routes {
    Routes get(String path, Handler handler);

    Routes post(String path, Handler handler);

    Routes put(String path, Handler handler);

    Routes delete(String path, Handler handler);

    /**
     * A Server-Sent Events route (Javalin's {@code sse}) for clients that send
     * {@code Accept: text/event-stream}, as browsers' {@code EventSource} does; other clients get 406. The client is kept open after {@code client} returns only if it
     * calls {@link SseClient#keepAlive()}; open streams do not hold a request thread and do not delay
     * the drain on shutdown.
     */
    Routes sse(String path, Consumer<SseClient> client);

    /**
     * A Server-Sent Events route whose {@code check} runs first, on the request, before the stream
     * opens: it may throw a {@link ProblemException} (a 404 for an unknown id, say), which is answered
     * as problem+json instead of a stream.
     */
    Routes sse(String path, Handler check, Consumer<SseClient> client);
}
