package dev.kindling.service.internal;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Health;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Readiness, liveness and status of a service, from its own state, its components, its app checks and its components' dependencies. */
public final class ServiceProbes implements HttpServer.Probes {
    private final Supplier<ComponentState> state;
    private final List<ComponentHandle> handles;
    private final Map<String, Supplier<Health>> checks;
    private final DependencyChecks dependencies;
    private final Duration livenessGrace;
    private final Supplier<Object> status;

    public ServiceProbes(Supplier<ComponentState> state, List<ComponentHandle> handles, Map<String, Supplier<Health>> checks,
                         DependencyChecks dependencies, Duration livenessGrace, Supplier<Object> status) {
        this.state = state;
        this.handles = handles;
        this.checks = checks;
        this.dependencies = dependencies;
        this.livenessGrace = livenessGrace;
        this.status = status;
    }

    @Override
    public Map<String, Health> readiness() {
        Map<String, Health> out = new LinkedHashMap<>();
        ComponentState s = state.get();
        if (s != ComponentState.RUNNING) {
            out.put("service", Health.down(s.toString()));
        }
        handles.forEach(h -> out.put(h.component().name(), h.readiness()));
        checks.forEach((k, v) -> out.put(k, v.get()));
        dependencies.addTo(out);
        return out;
    }

    @Override
    public Map<String, Health> liveness() {
        Map<String, Health> out = new LinkedHashMap<>();
        handles.forEach(h -> out.put(h.component().name(), h.liveness(livenessGrace)));
        return out;
    }

    @Override
    public Object status() {
        return status.get();
    }

    /**
     * The Spark defaults of a service: its own, then each component's where the service set none.
     *
     * @throws ConfigurationException when two components need different values of one setting
     */
    public static Map<String, String> sparkDefaults(Map<String, String> own, List<ComponentHandle> handles, Settings settings) {
        Map<String, String> merged = new LinkedHashMap<>(own);
        Map<String, String> owner = new LinkedHashMap<>();
        for (ComponentHandle h : handles) {
            h.component().sparkDefaults(settings).forEach((k, v) -> {
                if (own.containsKey(k)) {
                    return;
                }
                String before = merged.get(k);
                if (before != null && !before.equals(v)) {
                    throw new ConfigurationException("components " + owner.get(k) + " and " + h.component().name()
                            + " need different values of " + k + " (" + before + ", " + v + "); set it for the service with sparkDefault(...)");
                }
                merged.put(k, v);
                owner.put(k, h.component().name());
            });
        }
        return merged;
    }
}
