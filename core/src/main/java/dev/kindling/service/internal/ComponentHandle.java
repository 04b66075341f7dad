package dev.kindling.service.internal;

import dev.kindling.config.Settings;
import dev.kindling.ipp.Failures;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentError;
import dev.kindling.service.ComponentMeters;
import dev.kindling.service.ComponentState;
import dev.kindling.service.ComponentStatus;
import dev.kindling.service.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.IntSupplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's side of one component: its state, the time it entered it, its last error, and the
 * {@link ComponentContext} it was started with. The service moves it through STARTING, RUNNING,
 * STOPPING and STOPPED; the component moves it through the rest. FAILED is final.
 *
 * <p>Thread-safe: state changes are synchronized, reads see a consistent pair of state and time.
 */
public final class ComponentHandle implements ComponentContext {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentHandle.class);

    private final Component component;
    private final String serviceName;
    private final Clock clock;
    private volatile SparkSession spark;
    private volatile Settings settings;
    private volatile ComponentMeters meters;
    private volatile IntSupplier port;
    private volatile java.util.function.BooleanSupplier shuttingDown = () -> false;

    private ComponentState state = ComponentState.NEW;
    private Instant since;
    private ComponentError lastError;
    private boolean stopRequested;

    public ComponentHandle(Component component, String serviceName, Clock clock) {
        this.component = Objects.requireNonNull(component, "component");
        this.serviceName = serviceName;
        this.clock = clock;
        this.since = clock.instant();
    }

    public Component component() {
        return component;
    }

    /** Binds the context to the running service, before {@code start}. */
    public void bind(SparkSession spark, Settings settings, ComponentMeters meters, IntSupplier port,
                     java.util.function.BooleanSupplier shuttingDown) {
        this.shuttingDown = shuttingDown;
        this.spark = spark;
        this.settings = settings;
        this.meters = meters;
        this.port = port;
    }

    /** Starts the component on the calling thread; RUNNING afterwards unless it moved elsewhere itself. */
    public void start() throws Exception {
        set(ComponentState.STARTING, true);
        component.start(this);
        synchronized (this) {
            if (state == ComponentState.STARTING) {
                set(ComponentState.RUNNING, true);
            }
        }
    }

    /** Marks the component as being stopped by the service. */
    public synchronized void stopping() {
        stopRequested = true;
        if (state != ComponentState.FAILED) {
            set(ComponentState.STOPPING, true);
        }
    }

    /** Marks the component as stopped by the service (a FAILED one stays FAILED). */
    public synchronized void stopped() {
        if (state != ComponentState.FAILED) {
            set(ComponentState.STOPPED, true);
        }
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    @Override
    public String componentName() {
        return component.name();
    }

    @Override
    public SparkSession spark() {
        SparkSession s = spark;
        if (s == null) {
            throw new IllegalStateException("component " + component.name() + " is not started");
        }
        return s;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public ComponentMeters meters() {
        return meters;
    }

    @Override
    public int port() {
        return port.getAsInt();
    }

    @Override
    public boolean shuttingDown() {
        return shuttingDown.getAsBoolean();
    }

    @Override
    public synchronized ComponentState state() {
        return state;
    }

    @Override
    public synchronized void moveTo(ComponentState next) {
        Objects.requireNonNull(next, "state");
        switch (next) {
            case RUNNING, PAUSED, RECOVERING, COMPLETED -> {
                if (state == ComponentState.FAILED || stopRequested) {
                    return;
                }
                set(next, false);
            }
            default -> throw new IllegalArgumentException("a component moves itself to RUNNING, PAUSED, RECOVERING or COMPLETED "
                    + "(FAILED through fail(...)); got " + next);
        }
    }

    @Override
    public synchronized void reportError(Throwable error) {
        lastError = errorOf(error);
    }

    @Override
    public synchronized void clearError() {
        lastError = null;
    }

    @Override
    public void fail(Throwable error) {
        synchronized (this) {
            if (state == ComponentState.FAILED) {
                return;
            }
            lastError = errorOf(error);
            set(ComponentState.FAILED, true);
        }
        LOG.error("component {} of service {} FAILED: {}", component.name(), serviceName, lastError.message(), error);
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        Objects.requireNonNull(body, "body");
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                fail(e);
                if (e instanceof VirtualMachineError vm) {
                    throw vm;
                }
            }
        }, "kindling-" + component.name() + "-" + name);
        t.setDaemon(true);
        return t;
    }

    private void set(ComponentState next, boolean log) {
        if (state == next) {
            return;
        }
        ComponentState before = state;
        state = next;
        since = clock.instant();
        if (log || next == ComponentState.RECOVERING || before == ComponentState.RECOVERING) {
            LOG.debug("component {}: {} -> {}", component.name(), before, next);
        }
    }

    private ComponentError errorOf(Throwable error) {
        return new ComponentError(Failures.classify(error).name(), Failures.summary(error), clock.instant());
    }

    /** Readiness: the state allows it and the component's own check passes. */
    public Health readiness() {
        ComponentState s = state();
        if (!s.canBeReady()) {
            ComponentError e = lastErrorNow();
            return Health.down(s + (e == null ? "" : ": " + e.message()));
        }
        try {
            return component.readiness();
        } catch (RuntimeException e) {
            return Health.down("readiness check failed: " + Failures.summary(e));
        }
    }

    /** Liveness: down once the component has been FAILED for longer than {@code grace}, or when its own check says so. */
    public Health liveness(Duration grace) {
        ComponentState s;
        Instant at;
        ComponentError e;
        synchronized (this) {
            s = state;
            at = since;
            e = lastError;
        }
        if (s == ComponentState.FAILED && Duration.between(at, clock.instant()).compareTo(grace) >= 0) {
            return Health.down("FAILED since " + at + (e == null ? "" : ": " + e.message()));
        }
        try {
            return component.liveness();
        } catch (RuntimeException ex) {
            return Health.down("liveness check failed: " + Failures.summary(ex));
        }
    }

    private synchronized ComponentError lastErrorNow() {
        return lastError;
    }

    /** The status entry of this component. */
    public ComponentStatus status() {
        ComponentState s;
        Instant at;
        ComponentError e;
        synchronized (this) {
            s = state;
            at = since;
            e = lastError;
        }
        Health h = readiness();
        Object details;
        try {
            details = s == ComponentState.NEW ? null : component.details();
        } catch (RuntimeException ex) {
            details = java.util.Map.of("error", "details unavailable: " + Failures.summary(ex));
        }
        return new ComponentStatus(component.pattern(), s, at, h.ok(), h.reason(), e, details);
    }
}
