package dev.kindling.service;

import dev.kindling.config.Settings;
import dev.kindling.ipp.Dependency;
import java.util.List;
import java.util.Map;

/**
 * A part of a {@link KindlingService} with a lifecycle: every runner (the on-demand job service,
 * the continuous runner, the streaming runner) is one, and an app may write its own.
 *
 * <pre>{@code
 * KindlingService.builder("recommender")
 *         .component(modeler)        // a ContinuousRunner
 *         .component(predictions)    // a JobService
 *         .run();
 * }</pre>
 *
 * <p><b>Lifecycle.</b> The service calls, in this order and each once:
 * <ol>
 *   <li>{@link #sparkDefaults} while it creates the SparkSession (only when it creates it);</li>
 *   <li>{@link #routes} while it builds the HTTP server, before the server binds; handlers may be
 *       called before {@code start} has returned and must answer {@code 503} until the component can serve;</li>
 *   <li>{@link #start} on the service's starting thread, after the HTTP server is bound and after the
 *       components added before this one have started. It returns once the component runs; long work goes
 *       on threads made with {@link ComponentContext#newThread}, so that a {@code Throwable} escaping one
 *       moves the component to {@link ComponentState#FAILED}. A {@code start} that throws fails the
 *       service's start;</li>
 *   <li>{@link #stop} on a thread of its own, after the HTTP server has drained, in the reverse order of
 *       {@code start}. It must return by the deadline, which all components share; a stop that outlives it is
 *       logged with what it is still doing and abandoned.</li>
 * </ol>
 * {@link #readiness}, {@link #liveness} and {@link #details} are called on HTTP threads at any time
 * after {@code start} and must be cheap and thread-safe.
 *
 * <p><b>Metrics.</b> Meters come from {@link ComponentContext#meters()}, which names them
 * {@code kindling_<pattern>_<what>} with the tags {@code service} and {@code pipeline}.
 */
public interface Component {
    /** The name, unique within the service: the key in {@code /status} and the default {@code pipeline} tag. */
    String name();

    /** The pattern, lower-case letters only ({@code ondemand}, {@code continuous}, {@code streaming}): the metric prefix. */
    String pattern();

    /**
     * Spark settings this component needs when the service creates the SparkSession (for example
     * FAIR scheduler pools); they rank below everything the user sets. Default: none.
     */
    default Map<String, String> sparkDefaults(Settings settings) {
        return Map.of();
    }

    /** Adds this component's HTTP routes, under whatever prefix it chooses. Default: none. */
    default void routes(Routes routes) {
    }

    /** Starts the component; see the class javadoc. */
    void start(ComponentContext context) throws Exception;

    /** Stops the component by {@code deadline}; see the class javadoc. Never called twice. */
    void stop(Deadline deadline) throws Exception;

    /**
     * Whether the component can serve now, beyond its state (which must be RUNNING, PAUSED or COMPLETED
     * for the component to be ready at all). Default: up.
     */
    default Health readiness() {
        return Health.up();
    }

    /**
     * The remote systems this component needs (a runner's source, sink and stores). The service checks each
     * one, once per name, at every {@code GET /readyz}: the check is named after the dependency and turns 503
     * while the system does not answer. Called once, after every component has started. Default: none.
     */
    default List<Dependency> dependencies() {
        return List.of();
    }

    /**
     * Whether the component is alive, beyond its state (a FAILED component turns liveness down after
     * {@code kindling.service.liveness-failure-grace}). Default: up.
     */
    default Health liveness() {
        return Health.up();
    }

    /** The pattern's own status for {@code /status} (a record or map that Jackson can write), or null. */
    Object details();
}
