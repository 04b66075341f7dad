package dev.kindling.service.internal;

import dev.kindling.service.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order in which a service stops, under one deadline that every step shares: drain HTTP, stop the
 * HTTP server, stop the components in reverse order of start, stop Spark (when the service created
 * it), close the resources in reverse order. A step still running at the deadline is logged and
 * abandoned (see {@link Bounded}), and the next step runs.
 */
public final class ShutdownSequence {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSequence.class);

    private ShutdownSequence() {
    }

    /**
     * Runs {@code shutdown} when the JVM is asked to stop (SIGTERM, SIGINT), before Spark's own
     * shutdown hooks (Hadoop's hook manager runs hooks by priority: Spark's sit at 50 and below, this
     * one at 100). When what {@code shutdown} returns is not empty (a step overran the deadline), the
     * process exits at once afterwards, with status 1, rather than wait for what hangs.
     */
    public static void installHook(String service, Duration grace, java.util.function.Supplier<List<String>> shutdown) {
        Runnable hook = () -> {
            List<String> late = shutdown.get();
            if (!late.isEmpty()) {
                LOG.error("{}: exiting although {} did not stop by the deadline", service, String.join(", ", late));
                Runtime.getRuntime().halt(1);
            }
        };
        long timeoutMs = grace.toMillis() + 10_000;
        try {
            org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, 100, timeoutMs,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (NoClassDefFoundError e) {
            Runtime.getRuntime().addShutdownHook(new Thread(hook, service + "-shutdown"));
        }
    }

    /**
     * Runs the sequence; returns what was still running when its step gave up (empty when all stopped in time).
     *
     * @param ownedSpark the session to stop, or null when the service did not create it
     */
    public static List<String> run(String service, Duration grace, HttpServer http, List<ComponentHandle> started,
                                   SparkSession ownedSpark, List<Map.Entry<String, AutoCloseable>> resources) {
        Deadline deadline = Deadline.after(grace);
        List<String> late = new ArrayList<>();
        if (http != null) {
            LOG.info("{} shutting down: draining {} request(s) in flight; deadline {}", service, http.inFlight(), grace);
            int left = http.drain(deadline);
            if (left > 0) {
                late.add(left + " HTTP request(s)");
            }
            http.stop();
        }
        List<ComponentHandle> components = new ArrayList<>(started);
        Collections.reverse(components);
        for (ComponentHandle h : components) {
            h.stopping();
            if (Bounded.run("component " + h.component().name(), () -> h.component().stop(deadline), deadline)) {
                h.stopped();
                LOG.info("{}: stopped component {}", service, h.component().name());
            } else {
                late.add("component " + h.component().name());
            }
        }
        if (ownedSpark != null) {
            if (Bounded.run("spark", ownedSpark::stop, deadline)) {
                LOG.info("{}: stopped Spark", service);
            } else {
                late.add("Spark");
            }
        }
        List<Map.Entry<String, AutoCloseable>> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (Map.Entry<String, AutoCloseable> r : reversed) {
            if (Bounded.run(r.getKey(), r.getValue()::close, deadline)) {
                LOG.info("{}: closed {}", service, r.getKey());
            } else {
                late.add(r.getKey());
            }
        }
        if (late.isEmpty()) {
            LOG.info("{} shut down", service);
        } else {
            LOG.warn("{} shut down with its deadline ({}) overrun; still running: {}", service, grace, String.join(", ", late));
        }
        return List.copyOf(late);
    }
}
