package dev.kindling.service;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Failures;
import dev.kindling.service.internal.Bounded;
import dev.kindling.service.internal.ComponentHandle;
import dev.kindling.service.internal.DependencyChecks;
import dev.kindling.service.internal.HttpServer;
import dev.kindling.service.internal.RouteTable;
import dev.kindling.service.internal.ServiceProbes;
import dev.kindling.service.internal.ShutdownSequence;
import dev.kindling.spark.SparkSessions;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kindling process: one SparkSession, one HTTP control plane and an ordered list of
 * {@link Component}s (the runners of the three patterns, or an app's own), plus the resources they
 * use (an embedded database or broker: anything {@link AutoCloseable}).
 *
 * <pre>{@code
 * KindlingService.builder("recommender")
 *         .settings(settings)
 *         .resource("embedded PostgreSQL", database)
 *         .component(modeler)          // a ContinuousRunner
 *         .component(predictions)      // a JobService
 *         .run();                      // SIGTERM hook, one log line with the address, blocks until shutdown
 * }</pre>
 *
 * <p><b>Control plane.</b> {@code GET /healthz} (liveness: down once a component has been FAILED for
 * {@code kindling.service.liveness-failure-grace}), {@code GET /readyz} (every component ready),
 * {@code GET /metrics} (Prometheus), {@code GET /status} ({@link ServiceStatus}), and the routes the
 * components and the app add. Errors are RFC 9457 {@code application/problem+json}.
 *
 * <p><b>Lifecycle.</b> {@link #start()} creates the SparkSession unless one was given (with the
 * components' {@link Component#sparkDefaults}), binds the HTTP server, then starts the components in
 * the order they were added; if one fails to start, those already started are stopped and the
 * exception is thrown. {@link #shutdown()} (also on SIGTERM after {@link #installShutdownHook()}) sets
 * one deadline, {@code kindling.shutdown.grace} from now, that every step shares: readiness turns
 * down and new requests get 503, event streams are closed, in-flight requests drain, the HTTP server
 * stops, the components stop in reverse order, then Spark (when the service created it), then the
 * resources in reverse order. A step still running at the deadline is logged with what it was doing
 * and abandoned; on SIGTERM the process then exits anyway. All public methods are thread-safe.
 */
public final class KindlingService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KindlingService.class);

    private final String name;
    private final Settings settings;
    private final SparkSession givenSpark;
    private final Map<String, String> sparkDefaults;
    private final List<ComponentHandle> handles;
    private final List<Map.Entry<String, AutoCloseable>> resources;
    private final Map<String, Supplier<Health>> checks;
    private final DependencyChecks dependencies = new DependencyChecks();
    private final RouteTable routes;
    private final Clock clock;
    private final Duration grace;
    private final Duration livenessGrace;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<ComponentHandle> started = Collections.synchronizedList(new ArrayList<>());

    private volatile ComponentState state = ComponentState.NEW;
    private volatile Instant since;
    private volatile SparkSession spark;
    private volatile HttpServer http;
    private volatile List<String> overran = List.of();

    private KindlingService(Builder b, List<ComponentHandle> handles, RouteTable routes) {
        this.name = b.name;
        this.settings = b.settings;
        this.givenSpark = b.spark;
        this.sparkDefaults = Map.copyOf(b.sparkDefaults);
        this.handles = List.copyOf(handles);
        this.resources = List.copyOf(b.resources);
        this.checks = Collections.unmodifiableMap(new LinkedHashMap<>(b.checks));
        this.routes = routes;
        this.clock = b.clock;
        this.since = clock.instant();
        this.grace = settings.get(ServiceSettings.SHUTDOWN_GRACE);
        this.livenessGrace = settings.get(ServiceSettings.LIVENESS_FAILURE_GRACE);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", name);
        List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new JvmGcMetrics(), new ProcessorMetrics()).forEach(m -> m.bindTo(registry));
    }

    /** A builder for the service {@code name} (the {@code service} tag of every meter). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Starts the service (see the class javadoc) and returns it, without installing a shutdown hook;
     * for tests and for apps that manage their own lifecycle.
     *
     * @throws ConfigurationException when a component's setup is wrong (everything started so far is stopped)
     */
    public synchronized KindlingService start() {
        if (state != ComponentState.NEW) {
            throw new IllegalStateException("service " + name + " was already started (" + state + ")");
        }
        move(ComponentState.STARTING);
        try {
            HttpServer server = new HttpServer(name, settings, registry, routes, probes());
            spark = givenSpark != null ? givenSpark : SparkSessions.create(name, sparkDefaults(), settings);
            server.start();
            http = server;
            for (ComponentHandle h : handles) {
                h.bind(spark, settings, new ComponentMeters(registry, h.component().pattern(), h.component().name()), server::port,
                        server::draining);
                started.add(h);
                h.start();
            }
            dependencies.open(handles.stream().map(ComponentHandle::component).toList());
        } catch (Exception e) {
            LOG.error("{} failed to start: {}", name, Failures.summary(e));
            shutdown();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("service " + name + " failed to start: " + Failures.summary(e), e);
        }
        move(ComponentState.RUNNING);
        return this;
    }

    /**
     * The entry point of a service's {@code main}: starts it, installs the SIGTERM hook, logs one line
     * with its address, and blocks until it has shut down. A configuration error is logged as one line
     * and exits the process with status 2; any other start failure exits with status 1.
     */
    public void run() {
        try {
            start();
        } catch (ConfigurationException e) {
            LOG.error("{}: configuration error: {}", name, e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            LOG.error("{} could not start: {}", name, Failures.summary(e), e);
            System.exit(1);
            return;
        }
        installShutdownHook();
        LOG.info("{} listening on {}; components: {}; stop with SIGTERM (Ctrl-C)", name, http.address(),
                String.join(", ", handles.stream().map(x -> x.component().name() + " (" + x.component().pattern() + ")").toList()));
        awaitShutdown();
    }

    /** The components' Spark defaults, and the service's: the UI off unless asked for, its kill links always off. */
    Map<String, String> sparkDefaults() {
        Map<String, String> d = new LinkedHashMap<>(ServiceProbes.sparkDefaults(sparkDefaults, handles, settings));
        d.putIfAbsent("spark.ui.enabled", Boolean.toString(settings.get(ServiceSettings.SPARK_UI)));
        d.putIfAbsent("spark.ui.killEnabled", "false");
        return d;
    }

    private HttpServer.Probes probes() {
        return new ServiceProbes(() -> state, handles, checks, dependencies, livenessGrace, this::status);
    }

    /** The service and its components now, as {@code GET /status} shows them. */
    public ServiceStatus status() {
        Map<String, ComponentStatus> components = new LinkedHashMap<>();
        handles.forEach(h -> components.put(h.component().name(), h.status()));
        return new ServiceStatus(name, state, since, Collections.unmodifiableMap(components));
    }

    /** Whether the service runs and every component and check is ready. */
    public boolean isReady() {
        HttpServer h = http;
        return state == ComponentState.RUNNING && h != null && !h.draining() && probes().readiness().values().stream().allMatch(Health::ok);
    }

    public String name() {
        return name;
    }
    /** The bound HTTP port. */
    public int port() {
        HttpServer h = http;
        if (h == null) {
            throw new IllegalStateException("service " + name + " is not started");
        }
        return h.port();
    }

    /** The SparkSession, once started. */
    public SparkSession spark() {
        SparkSession s = spark;
        if (s == null) {
            throw new IllegalStateException("service " + name + " is not started");
        }
        return s;
    }

    /** The registry behind {@code /metrics}. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Every HTTP route the components and the app registered, as {@code METHOD /path (owner)}, in order. */
    public List<String> routes() {
        return routes.routes().stream().map(r -> r.method() + " " + r.path() + " (" + r.owner() + ")").toList();
    }

    /** The endpoints the HTTP server really serves (the control plane's and the registered ones), as {@code METHOD /path}. */
    public List<String> servedEndpoints() {
        HttpServer h = http;
        if (h == null) {
            throw new IllegalStateException("service " + name + " is not started");
        }
        return h.servedEndpoints();
    }

    /**
     * Runs {@link #shutdown()} when the JVM is asked to stop (SIGTERM, SIGINT), before Spark's own
     * shutdown hooks, so that work in flight finishes on a live SparkContext. When the shutdown overran
     * its deadline, the process exits at once afterwards (status 1) rather than wait for what hangs.
     */
    public KindlingService installShutdownHook() {
        ShutdownSequence.installHook(name, grace, () -> {
            shutdown();
            return overran;
        });
        return this;
    }

    /** Shuts down by the one deadline; see the class javadoc. Idempotent; returns when done. */
    public void shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            awaitShutdown();
            return;
        }
        move(ComponentState.STOPPING);
        SparkSession s = spark;
        overran = ShutdownSequence.run(name, grace, http, started, givenSpark == null ? s : null, resources);
        dependencies.close(); // the readiness probes' clients, last: readiness was down since draining began
        registry.close();
        move(ComponentState.STOPPED);
        terminated.countDown();
    }

    /** What was still running when the last shutdown's deadline passed; empty when everything stopped in time. */
    public List<String> overran() {
        return overran;
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
    private void move(ComponentState next) {
        state = next;
        since = clock.instant();
    }

    /**
     * Builds a {@link KindlingService}. Setters reject nulls and duplicate names; {@link #build()}
     * collects every route and fails on a path registered twice.
     */
    public static final class Builder {
        private final String name;
        private Settings settings = Settings.fromEnvironment();
        private SparkSession spark;
        private final Map<String, String> sparkDefaults = new LinkedHashMap<>();
        private final List<Component> components = new ArrayList<>();
        private final List<Map.Entry<String, AutoCloseable>> resources = new ArrayList<>();
        private final List<Consumer<Routes>> routes = new ArrayList<>();
        private final Map<String, Supplier<Health>> checks = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw new ConfigurationException("a service name is 1 to 63 letters, digits, '_', '.' and '-'; got '" + name + "'");
            }
            this.name = name;
        }

        /** Where settings come from; default {@link Settings#fromEnvironment()}. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** A SparkSession to use and not stop; default: the service creates one from the settings and stops it last. */
        public Builder spark(SparkSession spark) {
            this.spark = Objects.requireNonNull(spark, "spark");
            return this;
        }

        /** A Spark setting for the session the service creates, below spark-submit, the environment and files. */
        public Builder sparkDefault(String key, String value) {
            sparkDefaults.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds a component; components start in the order added and stop in reverse. */
        public Builder component(Component component) {
            Objects.requireNonNull(component, "component");
            for (Component c : components) {
                if (c.name().equals(component.name())) {
                    throw new ConfigurationException("service " + name + " has two components named '" + component.name() + "'");
                }
            }
            components.add(component);
            return this;
        }

        /** A resource closed after every component and Spark have stopped (in reverse order of adding). */
        public Builder resource(String name, AutoCloseable resource) {
            resources.add(Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(resource, "resource")));
            return this;
        }

        /** The app's own routes (a page at {@code /}, say), next to the components'. */
        public Builder routes(Consumer<Routes> routes) {
            this.routes.add(Objects.requireNonNull(routes, "routes"));
            return this;
        }

        /** An app-level readiness check, shown at {@code /readyz} under {@code name}. */
        public Builder readiness(String name, Supplier<Health> check) {
            if (checks.putIfAbsent(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check")) != null) {
                throw new ConfigurationException("readiness check '" + name + "' is added twice");
            }
            return this;
        }

        /** The clock of {@code since} times; default UTC system clock (tests may pass their own). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws ConfigurationException when there is no component or a route is registered twice */
        public KindlingService build() {
            if (components.isEmpty() && routes.isEmpty()) {
                throw new ConfigurationException("service " + name + " has no component and no route: add one with component(...)");
            }
            RouteTable table = RouteTable.of(name, components, routes);
            List<ComponentHandle> handles = components.stream().map(c -> new ComponentHandle(c, name, clock)).toList();
            return new KindlingService(this, handles, table);
        }

        /** {@code build().start()}. */
        public KindlingService start() {
            return build().start();
        }

        /** {@code build().run()}: a configuration error in {@code build} exits with status 2 as well. */
        public void run() {
            KindlingService s;
            try {
                s = build();
            } catch (ConfigurationException e) {
                LOG.error("{}: configuration error: {}", name, e.getMessage());
                for (Map.Entry<String, AutoCloseable> r : resources) {
                    Bounded.run(r.getKey(), r.getValue()::close, Deadline.after(settings.get(ServiceSettings.SHUTDOWN_GRACE)));
                }
                System.exit(2);
                return;
            }
            s.run();
        }
    }
}
