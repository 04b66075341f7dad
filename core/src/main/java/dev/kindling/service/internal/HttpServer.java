package dev.kindling.service.internal;

import dev.kindling.config.Settings;
import dev.kindling.service.Deadline;
import dev.kindling.service.Health;
import dev.kindling.service.Json;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.ServiceSettings;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.json.JavalinJackson;
import io.javalin.validation.ValidationException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of a service (Javalin on Jetty): {@code /healthz}, {@code /readyz},
 * {@code /metrics}, {@code /status} and the routes of the {@link RouteTable}; errors as RFC 9457
 * problem+json; the checks of {@link RequestGuard} (a request-size limit; bearer-token auth on every route but the probes; JSON-only bodies (415) and no
 * writes from other sites' pages (403)); the in-flight count
 * that the shutdown drains; open Server-Sent Event streams, which are closed with a final
 * {@code shutdown} event when draining starts instead of being waited for.
 */
public final class HttpServer {
    /** The {@code Retry-After} of a 503 or 429 that does not state its own. */
    static final int DEPENDENCY_RETRY_AFTER_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final String COUNTED = "kindling.counted";
    private static final String STARTED = "kindling.start";
    private static final String WAITING = "kindling.waiting";

    /** What the server asks the service for. */
    public interface Probes {
        Map<String, Health> readiness();

        Map<String, Health> liveness();

        Object status();
    }

    private final String serviceName;
    private final String host;
    private final int requestedPort;
    private final RequestGuard guard;
    private final int maxStreams;
    private final java.util.concurrent.Semaphore waiting;
    private final PrometheusMeterRegistry registry;
    private final RouteTable routes;
    private final Probes probes;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Set<SseClient> streams = ConcurrentHashMap.newKeySet();
    /** Streams admitted but not yet in {@link #streams}: their 200 reaches the client before the handler runs. */
    private final java.util.concurrent.atomic.AtomicInteger opening = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Javalin app;

    public HttpServer(String serviceName, Settings settings, PrometheusMeterRegistry registry, RouteTable routes, Probes probes) {
        this.serviceName = serviceName;
        this.guard = new RequestGuard(serviceName, settings);
        this.host = BindPolicy.host(settings);
        this.requestedPort = settings.get(ServiceSettings.PORT);
        this.maxStreams = settings.get(ServiceSettings.MAX_STREAMS);
        this.waiting = new java.util.concurrent.Semaphore(settings.get(ServiceSettings.MAX_WAITING));
        this.registry = registry;
        this.routes = routes;
        this.probes = probes;
    }

    /** Where the server listens and who may call it, for the start-up line: {@code http://localhost:8080 (no token: ...)}. */
    public String address() {
        return BindPolicy.describe(host, port(), secured());
    }

    /** Whether a token is set. */
    public boolean secured() {
        return guard.secured();
    }

    /** The address bound (or to be bound). */
    public String host() {
        return host;
    }

    /** Binds the port and starts serving. */
    public synchronized void start() {
        if (app != null) {
            throw new IllegalStateException("the HTTP server of " + serviceName + " is already started");
        }
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.http.maxRequestSize = guard.maxRequestBytes();
            config.http.prefer405over404 = true;
            // the buffer each answer is copied through, allocated per answer: Javalin's default is Jetty's output
            // buffer (32 KB), which made most of a small answer's garbage; Jetty's own buffer stays 32 KB
            config.http.responseBufferSize = 8192;
            config.jetty.host = host;
            config.jetty.port = requestedPort;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(1_000); // requests were drained; this lets their last bytes go out
                server.setStopAtShutdown(false); // the service's hook drains first, then stops Jetty
            });
            configure(config.routes);
        });
        app.start();
        if (!guard.secured() && !BindPolicy.isLoopback(host)) {
            LOG.warn("{} serves http://{}:{} WITHOUT a token (kindling.http.allow-unauthenticated=true): anyone who reaches it "
                    + "can read its data and run its jobs; put an authenticating proxy in front, or set KINDLING_AUTH_TOKEN",
                    serviceName, host, app.port());
        }
    }

    private void configure(RoutesConfig r) {
        r.before(this::admit);
        r.after(this::finish);
        r.get("/healthz", ctx -> ProbeAnswers.health(ctx, serviceName, probes.liveness()));
        r.get("/readyz", ctx -> ProbeAnswers.ready(ctx, draining.get(), probes.readiness()));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        r.get("/status", ctx -> ctx.json(probes.status()));
        Map<String, Object> openApi = OpenApi.document(serviceName, version(), routes.routes());
        r.get("/openapi.json", ctx -> ctx.json(openApi));
        for (RouteTable.Route route : routes.routes()) {
            switch (route.method()) {
                case "GET" -> r.get(route.path(), route.handler());
                case "POST" -> r.post(route.path(), route.handler());
                case "PUT" -> r.put(route.path(), route.handler());
                case "DELETE" -> r.delete(route.path(), route.handler());
                case "SSE" -> r.get(route.path(), eventStream(route.handler(), route.sse()));
                default -> throw new IllegalStateException("unknown method " + route.method());
            }
        }
        r.exception(ProblemException.class, (e, ctx) -> problem(ctx, e.problem()));
        r.exception(ValidationException.class, (e, ctx) -> {
            String param = e.getErrors().keySet().stream().findFirst().orElse("parameter");
            String message = e.getErrors().getOrDefault(param, java.util.List.of()).stream().findFirst()
                    .map(v -> v.getMessage()).orElse("invalid");
            problem(ctx, Problem.of(400, "Invalid parameter", "'" + param + "': " + message).with("parameter", param));
        });
        r.exception(HttpResponseException.class, (e, ctx) ->
                problem(ctx, Problem.of(e.getStatus(), Problem.reason(e.getStatus()), e.getMessage() == null || e.getMessage().isBlank()
                        ? Problem.reason(e.getStatus()) : e.getMessage())));
        r.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) ->
                problem(ctx, Problem.of(400, "Bad Request", "malformed JSON: " + e.getOriginalMessage())));
        r.exception(Exception.class, (e, ctx) -> {
            if (dev.kindling.ipp.Failures.retryable(e)) {
                // a dependency that is away for now (a database, a broker): the caller may try again
                LOG.warn("request {} {} failed on a dependency that is away: {}", ctx.method(), ctx.path(),
                        dev.kindling.ipp.Failures.summary(e));
                problem(ctx, Problem.of(503, "Service Unavailable", "a dependency did not answer: "
                        + dev.kindling.ipp.Failures.summary(e) + "; retry after " + DEPENDENCY_RETRY_AFTER_SECONDS + " s")
                        .with("retryAfterSeconds", DEPENDENCY_RETRY_AFTER_SECONDS));
                return;
            }
            String id = UUID.randomUUID().toString();
            LOG.error("request {} {} failed (error id {})", ctx.method(), ctx.path(), id, e);
            problem(ctx, Problem.of(500, "Internal Server Error", "the service failed to answer; error id " + id
                    + " is in its log").with("errorId", id));
        });
        r.error(404, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(404, "Not Found", "no route for " + ctx.method() + " " + ctx.path()));
            }
        });
        r.error(405, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(405, "Method Not Allowed", ctx.method() + " is not allowed on " + ctx.path()));
            }
        });
    }

    /**
     * Javalin's SSE handler for clients that accept {@code text/event-stream}; any other client gets a
     * 406 that says which header to send (Javalin's handler would answer it with an empty 200).
     */
    private io.javalin.http.Handler eventStream(io.javalin.http.Handler check, Consumer<SseClient> handler) {
        io.javalin.http.sse.SseHandler sse = new io.javalin.http.sse.SseHandler(stream(handler));
        return ctx -> {
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                throw new ProblemException(Problem.of(406, "Not Acceptable", ctx.path() + " is a stream of Server-Sent Events: "
                        + "send the header 'Accept: text/event-stream' (curl -N -H 'Accept: text/event-stream' URL)"));
            }
            if (check != null) {
                check.handle(ctx);
            }
            synchronized (streams) {
                streams.removeIf(SseClient::terminated);
                if (streams.size() + opening.get() >= maxStreams) {
                    ctx.header("Retry-After", "1");
                    throw new ProblemException(Problem.of(429, "Too Many Requests", "too many event streams are open (kindling.http.max-streams "
                            + maxStreams + "); retry later, or poll").with("retryAfterSeconds", 1));
                }
                opening.incrementAndGet();
            }
            try {
                sse.handle(ctx);
            } catch (Exception | Error e) {
                opening.decrementAndGet();
                throw e;
            }
        };
    }

    private Map<String, String> shutdownEvent() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("service", serviceName);
        m.put("reason", "the service is shutting down");
        return m;
    }

    /** Streams are not in-flight requests: they are tracked apart and closed when draining starts. */
    private Consumer<SseClient> stream(Consumer<SseClient> handler) {
        return client -> {
            uncount(client.ctx());
            boolean added = false;
            synchronized (streams) {
                opening.decrementAndGet();
                if (!draining.get()) {
                    streams.removeIf(SseClient::terminated);
                    added = streams.add(client);
                }
            }
            if (!added) {
                client.sendEvent("shutdown", shutdownEvent());
                client.close();
                return;
            }
            handler.accept(client);
        };
    }

    private void admit(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        if (draining.get()) {
            ctx.header("Connection", "close");
            throw new ProblemException(Problem.of(503, "Service Unavailable", serviceName + " is shutting down"));
        }
        inFlight.incrementAndGet();
        ctx.attribute(COUNTED, Boolean.TRUE);
        guard.check(ctx);
        String wait = ctx.queryParam("wait");
        if (wait != null && !wait.isBlank()) {
            if (!waiting.tryAcquire()) {
                ctx.header("Retry-After", "1");
                throw new ProblemException(Problem.of(429, "Too Many Requests", "too many requests are waiting with ?wait= ("
                        + "kindling.http.max-waiting); retry, or ask without ?wait= and poll").with("retryAfterSeconds", 1));
            }
            ctx.attribute(WAITING, Boolean.TRUE);
        }
    }

    private void uncount(Context ctx) {
        if (Boolean.TRUE.equals(ctx.attribute(COUNTED))) {
            ctx.attribute(COUNTED, Boolean.FALSE);
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    private void finish(Context ctx) {
        uncount(ctx);
        if (Boolean.TRUE.equals(ctx.attribute(WAITING))) {
            ctx.attribute(WAITING, Boolean.FALSE);
            waiting.release();
        }
        Long start = ctx.attribute(STARTED);
        if (start != null) {
            io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
            String route = matched == null ? "unmatched" : matched.path;
            Timer.builder("http.server.requests")
                    .tag("method", ctx.method().name())
                    .tag("route", route)
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes {@code problem} as the response. */
    public static void problem(Context ctx, Problem problem) {
        problem = problem.redacted();
        ctx.status(problem.status());
        if ((problem.status() == 503 || problem.status() == 429) && ctx.res().getHeader("Retry-After") == null) {
            Object after = problem.extra().get("retryAfterSeconds");
            ctx.header("Retry-After", String.valueOf(after != null ? after : DEPENDENCY_RETRY_AFTER_SECONDS));
        }
        ctx.contentType(Problem.MEDIA_TYPE);
        try {
            ctx.result(Json.mapper().writeValueAsString(problem.toMap()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.result("{\"title\":\"" + problem.title() + "\",\"status\":" + problem.status() + "}");
        }
    }

    private static String version() {
        String v = HttpServer.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** The endpoints Javalin really serves, as {@code METHOD /path}, for checks against the OpenAPI document. */
    public List<String> servedEndpoints() {
        Javalin a = app;
        if (a == null) {
            throw new IllegalStateException("the HTTP server of " + serviceName + " is not started");
        }
        return a.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(p -> java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(p.endpoint.method.name()))
                .map(p -> p.endpoint.method.name() + " " + p.endpoint.path).toList();
    }

    /** The bound port. */
    public int port() {
        Javalin a = app;
        if (a == null) {
            throw new IllegalStateException("the HTTP server of " + serviceName + " is not started");
        }
        return a.port();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public boolean draining() {
        return draining.get();
    }

    /**
     * Starts draining: new requests get 503, open event streams get a final {@code shutdown} event and
     * close, and in-flight requests may finish until {@code deadline}. Returns how many were still in
     * flight when it gave up waiting (0 when all finished).
     */
    public int drain(Deadline deadline) {
        draining.set(true);
        for (SseClient client : streams) {
            try {
                client.sendEvent("shutdown", shutdownEvent());
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("closing an event stream failed", e);
            }
        }
        streams.clear();
        try {
            synchronized (inFlight) {
                while (inFlight.get() > 0 && !deadline.expired()) {
                    inFlight.wait(Math.max(1, Math.min(50, deadline.remaining().toMillis())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return inFlight.get();
    }

    /**
     * Stops the server: responses being written get up to a second to go out; connections that clients
     * keep open without a request (HTTP keep-alive) are then closed, which Jetty reports as a timeout
     * of its graceful stop, logged here at debug level only.
     */
    public void stop() {
        Javalin a = app;
        if (a == null) {
            return;
        }
        try {
            a.jettyServer().server().stop();
        } catch (Exception e) {
            if (dev.kindling.ipp.Failures.find(e, java.util.concurrent.TimeoutException.class).isPresent()) {
                LOG.debug("{}: idle HTTP connections closed when the server stopped", serviceName);
            } else {
                LOG.error("{}: stopping the HTTP server failed", serviceName, e);
            }
        }
    }
}
