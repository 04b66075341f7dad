package dev.kindling.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kindling.config.Settings;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane every Kindling runner shares: an HTTP server with {@code GET /healthz},
 * {@code GET /readyz}, {@code GET /metrics} (Prometheus text), errors as RFC 9457
 * {@code application/problem+json}, a request-size limit, optional bearer-token auth on mutating
 * routes, and graceful shutdown.
 *
 * <pre>{@code
 * ControlPlane plane = ControlPlane.builder("sparkpi")
 *         .settings(Settings.fromEnvironment())
 *         .readiness("spark", () -> warmedUp.get())
 *         .routes(r -> r.get("/sparkpi", ctx -> ctx.json(estimate(ctx))))
 *         .onShutdown("spark", spark::stop)
 *         .build()
 *         .start();
 * plane.installShutdownHook();   // SIGTERM: drain, then run the onShutdown actions
 * plane.awaitShutdown();
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} binds the port; routes are served on Jetty's threads.
 * {@link #shutdown()} (also run by the SIGTERM hook, and by {@link #close()}) is idempotent: it
 * turns readiness false, answers new requests {@code 503}, waits for in-flight requests for at most
 * the grace period ({@code kindling.shutdown.grace}), stops the server, then runs the
 * {@code onShutdown} actions in reverse order of registration (so a runner registered after Spark
 * stops before Spark). {@link #awaitShutdown()} returns once all of that is done.
 *
 * <p><b>Threads.</b> Readiness checks are called on request threads and must be cheap and thread-safe.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final Set<HandlerType> MUTATING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final String serviceName;
    private final String host;
    private final int requestedPort;
    private final long maxRequestBytes;
    private final byte[] token;
    private final Duration grace;
    private final Map<String, BooleanSupplier> readiness;
    private final List<Consumer<RoutesConfig>> routes;
    private final List<Map.Entry<String, Runnable>> shutdownActions;
    private final PrometheusMeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Javalin app;

    private ControlPlane(Builder b) {
        this.serviceName = b.serviceName;
        Settings s = b.settings;
        this.host = s.get(ControlPlaneSettings.HOST);
        this.requestedPort = s.get(ControlPlaneSettings.PORT);
        this.maxRequestBytes = s.get(ControlPlaneSettings.MAX_REQUEST_BYTES);
        String t = s.get(ControlPlaneSettings.AUTH_TOKEN);
        this.token = t == null || t.isEmpty() ? null : t.getBytes(StandardCharsets.UTF_8);
        this.grace = s.get(ControlPlaneSettings.SHUTDOWN_GRACE);
        this.readiness = Collections.unmodifiableMap(new LinkedHashMap<>(b.readiness));
        this.routes = List.copyOf(b.routes);
        this.shutdownActions = List.copyOf(b.shutdownActions);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", serviceName);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** A builder for the control plane of the service {@code serviceName} (used as a metrics tag). */
    public static Builder builder(String serviceName) {
        return new Builder(serviceName);
    }

    /** The JSON mapper the control plane uses (Jackson, Java time as ISO-8601 text). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** The registry behind {@code /metrics}; runners add their meters here. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Binds the port and starts serving. */
    public synchronized ControlPlane start() {
        if (app != null) {
            throw new IllegalStateException("control plane of " + serviceName + " already started");
        }
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(JSON, false));
            config.http.maxRequestSize = maxRequestBytes;
            config.http.prefer405over404 = true;
            config.jetty.host = host;
            config.jetty.port = requestedPort;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(1_000); // requests are drained by shutdown() before Jetty stops
                server.setStopAtShutdown(false); // our own hook drains first, then stops Jetty
            });
            configureRoutes(config.routes);
        });
        app.start();
        LOG.info("{} control plane listening on {}:{}", serviceName, host, app.port());
        return this;
    }

    private void configureRoutes(RoutesConfig r) {
        r.before(this::admit);
        r.after(this::finish);
        r.get("/healthz", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "up");
            body.put("service", serviceName);
            ctx.json(body);
        });
        r.get("/readyz", this::ready);
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        for (Consumer<RoutesConfig> c : routes) {
            c.accept(r);
        }
        r.exception(ProblemException.class, (e, ctx) -> problem(ctx, e.problem()));
        r.exception(HttpResponseException.class, (e, ctx) ->
                problem(ctx, Problem.of(e.getStatus(), reason(e.getStatus()), e.getMessage() == null || e.getMessage().isBlank()
                        ? reason(e.getStatus()) : e.getMessage())));
        r.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) ->
                problem(ctx, Problem.of(400, "Bad Request", "malformed JSON: " + e.getOriginalMessage())));
        r.exception(Exception.class, (e, ctx) -> {
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

    private void admit(Context ctx) {
        ctx.attribute("kindling.start", System.nanoTime());
        if (draining.get()) {
            ctx.header("Connection", "close");
            throw new ProblemException(Problem.of(503, "Service Unavailable", serviceName + " is shutting down"));
        }
        inFlight.incrementAndGet();
        ctx.attribute("kindling.counted", Boolean.TRUE);
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxRequestBytes) {
            throw new ProblemException(Problem.of(413, "Content Too Large", "the request body has " + declared
                    + " bytes; the limit is " + maxRequestBytes + " (setting kindling.http.max-request-bytes)"));
        }
        if (token != null && MUTATING.contains(ctx.method()) && !authorised(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"" + serviceName + "\"");
            throw new ProblemException(Problem.of(401, "Unauthorized",
                    ctx.method() + " needs the header 'Authorization: Bearer <token>' with the service's token"));
        }
    }

    private boolean authorised(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private void finish(Context ctx) {
        if (Boolean.TRUE.equals(ctx.attribute("kindling.counted"))) {
            ctx.attribute("kindling.counted", Boolean.FALSE);
            inFlight.decrementAndGet();
        }
        Long start = ctx.attribute("kindling.start");
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

    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean ok = !draining.get();
        if (draining.get()) {
            checks.put("shutdown", "draining");
        }
        for (Map.Entry<String, BooleanSupplier> e : readiness.entrySet()) {
            boolean r;
            try {
                r = e.getValue().getAsBoolean();
            } catch (RuntimeException ex) {
                LOG.warn("readiness check {} failed", e.getKey(), ex);
                r = false;
            }
            checks.put(e.getKey(), r ? "ready" : "not ready");
            ok &= r;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "ready" : "not ready");
        body.put("checks", checks);
        ctx.status(ok ? 200 : 503).json(body);
    }

    /** Whether every readiness check passes and the service is not shutting down. */
    public boolean isReady() {
        if (draining.get()) {
            return false;
        }
        return readiness.values().stream().allMatch(BooleanSupplier::getAsBoolean);
    }

    /** Writes {@code problem} as the response. */
    public static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status());
        ctx.contentType(Problem.MEDIA_TYPE);
        try {
            ctx.result(JSON.writeValueAsString(problem.toMap()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.result("{\"title\":\"" + problem.title() + "\",\"status\":" + problem.status() + "}");
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "HTTP " + status;
        };
    }

    /** The bound port (useful with port 0). */
    public int port() {
        Javalin a = app;
        if (a == null) {
            throw new IllegalStateException("control plane of " + serviceName + " is not started");
        }
        return a.port();
    }

    /** Requests being served now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether {@link #shutdown()} has begun. */
    public boolean isShuttingDown() {
        return draining.get();
    }

    /**
     * Runs {@link #shutdown()} when the JVM is asked to stop (SIGTERM, SIGINT), before Spark's own
     * shutdown hooks, so in-flight work can finish on a live SparkContext.
     */
    public ControlPlane installShutdownHook() {
        Runnable hook = this::shutdown;
        long timeoutMs = grace.toMillis() + 30_000;
        try {
            // Hadoop's manager runs hooks by priority; Spark's hooks sit at 40 and below, so 100 runs first.
            org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, 100, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (NoClassDefFoundError e) {
            Runtime.getRuntime().addShutdownHook(new Thread(hook, serviceName + "-shutdown"));
        }
        return this;
    }

    /** Drains and stops; see the class javadoc. Idempotent; returns when done. */
    public void shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            awaitShutdown();
            return;
        }
        LOG.info("{} shutting down: draining {} in-flight request(s), grace {}", serviceName, inFlight.get(), grace);
        draining.set(true);
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                synchronized (inFlight) {
                    inFlight.wait(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inFlight.get() > 0) {
            LOG.warn("{}: grace period {} over with {} request(s) still in flight", serviceName, grace, inFlight.get());
        }
        Javalin a = app;
        if (a != null) {
            try {
                a.stop();
            } catch (RuntimeException e) {
                LOG.error("{}: stopping the HTTP server failed", serviceName, e);
            }
        }
        List<Map.Entry<String, Runnable>> reversed = new ArrayList<>(shutdownActions);
        Collections.reverse(reversed);
        for (Map.Entry<String, Runnable> action : reversed) {
            try {
                action.getValue().run();
            } catch (RuntimeException e) {
                LOG.error("{}: shutdown action '{}' failed", serviceName, action.getKey(), e);
            }
        }
        registry.close();
        LOG.info("{} shutdown complete", serviceName);
        terminated.countDown();
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitShutdown() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    /**
     * Builds a {@link ControlPlane}. Setters reject nulls and duplicate names.
     */
    public static final class Builder {
        private final String serviceName;
        private Settings settings = Settings.fromEnvironment();
        private final Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
        private final List<Consumer<RoutesConfig>> routes = new ArrayList<>();
        private final List<Map.Entry<String, Runnable>> shutdownActions = new ArrayList<>();

        private Builder(String serviceName) {
            this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
        }

        /** Where the port, host, limits, token and grace period are read from; default {@link Settings#fromEnvironment()}. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** A readiness check; {@code /readyz} is 200 only when all pass. */
        public Builder readiness(String name, BooleanSupplier check) {
            Objects.requireNonNull(check, "check");
            if (readiness.putIfAbsent(Objects.requireNonNull(name, "name"), check) != null) {
                throw new IllegalArgumentException("readiness check '" + name + "' is registered twice");
            }
            return this;
        }

        /** Adds routes (Javalin's routing API); errors thrown there become problem+json responses. */
        public Builder routes(Consumer<RoutesConfig> routes) {
            this.routes.add(Objects.requireNonNull(routes, "routes"));
            return this;
        }

        /** An action run on shutdown after the HTTP server stopped; actions run in reverse order of registration. */
        public Builder onShutdown(String name, Runnable action) {
            shutdownActions.add(Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(action, "action")));
            return this;
        }

        public ControlPlane build() {
            return new ControlPlane(this);
        }
    }
}
