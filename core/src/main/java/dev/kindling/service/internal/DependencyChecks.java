package dev.kindling.service.internal;

import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Failures;
import dev.kindling.service.Component;
import dev.kindling.service.Health;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The readiness checks of a service's dependencies: one per dependency name over all its components, each
 * with a probe opened once the components have started and closed with the service's resources.
 *
 * <pre>{@code
 * DependencyChecks deps = new DependencyChecks();
 * deps.open(components);
 * deps.addTo(readiness);   // {"database jdbc:postgresql://db:5432/shop": up, "kafka broker:9092": down(...)}
 * }</pre>
 *
 * <p>Checks run on HTTP threads at each {@code GET /readyz}; each waits at most its probe's timeout.
 */
public final class DependencyChecks implements AutoCloseable {
    private final Map<String, Dependency.Probe> probes = new LinkedHashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    /**
     * Opens a probe for every dependency of {@code components} whose name has none yet (the first of each name
     * kept). Called once the components have started, so that what they learn at start (a store from the
     * settings) is included.
     */
    public synchronized void open(Collection<Component> components) {
        for (Component c : components) {
            for (Dependency d : c.dependencies()) {
                if (!closed && !probes.containsKey(d.name())) {
                    probes.put(d.name(), d.probe());
                }
            }
        }
    }

    /** Adds the result of each dependency's check to {@code out}, by name, unless {@code out} has that name already. */
    public void addTo(Map<String, Health> out) {
        Map<String, Dependency.Probe> now;
        synchronized (this) {
            now = new LinkedHashMap<>(probes);
        }
        now.forEach((name, probe) -> {
            if (!out.containsKey(name)) {
                out.put(name, check(probe));
            }
        });
    }

    /** The dependency names, in order. */
    public synchronized List<String> names() {
        return new ArrayList<>(probes.keySet());
    }

    private static Health check(Dependency.Probe probe) {
        try {
            probe.check();
            return Health.up();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down("interrupted while checking");
        } catch (Exception e) {
            return Health.down(Failures.summary(e));
        }
    }

    /** Closes every probe; later checks report nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        probes.values().forEach(Dependency.Probe::close);
        probes.clear();
    }
}
