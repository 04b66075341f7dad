package dev.kindling.service;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The body of {@code GET /status}: the service and each of its components, in the order they were added.
 *
 * <pre>{@code
 * {"service": "recommender", "state": "RUNNING", "since": "...", "components": {"modeler": {...}, "predictions": {...}}}
 * }</pre>
 *
 * @param service    the service's name
 * @param state      the service's own state: STARTING, RUNNING, STOPPING or STOPPED
 * @param since      when it entered that state
 * @param components each component's status, by name, in the order they were added
 */
public record ServiceStatus(String service, ComponentState state, Instant since, Map<String, ComponentStatus> components) {
    public ServiceStatus {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(components, "components");
    }
}
