package dev.kindling.service;

import dev.kindling.config.Settings;
import org.apache.spark.sql.SparkSession;

/**
 * What a {@link KindlingService} gives a {@link Component} when it starts it: the SparkSession, the
 * settings, the meters, and the means to report its state and run its threads.
 *
 * <pre>{@code
 * public void start(ComponentContext context) {
 *     this.context = context;
 *     Counter cycles = context.meters().counter("cycles", "cycles run");
 *     context.newThread("loop", this::loop).start();     // a Throwable escaping loop() -> FAILED
 * }
 * }</pre>
 *
 * <p>Thread-safe; valid from {@code start} until the service has stopped.
 */
public interface ComponentContext {
    /** The service's name. */
    String serviceName();

    /** The component's name. */
    String componentName();

    /** The service's SparkSession. */
    SparkSession spark();

    /** The service's settings. */
    Settings settings();

    /** Meters named {@code kindling_<pattern>_<what>}, tagged {@code service} and {@code pipeline}. */
    ComponentMeters meters();

    /** The port the service's HTTP server is bound to. */
    int port();

    /**
     * Whether the service has begun to shut down: HTTP is draining and stops follow. A request handler
     * that waits for something (a job, a cycle) should stop waiting and answer.
     */
    boolean shuttingDown();

    /** The component's state now. */
    ComponentState state();

    /**
     * Moves to {@code state}: RUNNING, PAUSED, RECOVERING or COMPLETED. Ignored once the component is
     * FAILED or the service is stopping it.
     */
    void moveTo(ComponentState state);

    /** Records {@code error} as the last error (classified and summarised); the state does not change. */
    void reportError(Throwable error);

    /** Forgets the last error, after a success. */
    void clearError();

    /** Moves to FAILED for good, with {@code error} as the last error; readiness turns down. */
    void fail(Throwable error);

    /**
     * A daemon thread named {@code kindling-<component>-<name>} that runs {@code body}; a
     * {@code Throwable} escaping it moves the component to FAILED. Not started.
     */
    Thread newThread(String name, Runnable body);
}
