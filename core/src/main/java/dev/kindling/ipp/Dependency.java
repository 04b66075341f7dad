package dev.kindling.ipp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A remote system that a connector needs in order to work: a database, a Kafka cluster. A service
 * turns each dependency of its components into a readiness check, so that {@code GET /readyz} answers
 * 503 and names the system while it cannot be reached.
 *
 * <pre>{@code
 * Dependency db = ((Remote) jdbcSource).dependency();
 * db.name();                                   // "database jdbc:postgresql://db:5432/shop"
 * try (Dependency.Probe probe = db.probe()) {
 *     probe.check();                           // returns, or throws saying why the database cannot be reached
 * }
 * }</pre>
 *
 * <p>Dependencies are immutable values; two with the same {@link #name()} are the same system and are
 * checked once.
 */
public interface Dependency {
    /**
     * What the system is and where, without secrets: {@code "database jdbc:postgresql://db:5432/shop"},
     * {@code "kafka broker-1:9092,broker-2:9092"}. The key of its readiness check.
     */
    String name();

    /**
     * A probe of the system, holding whatever client it needs (made on its first check, so that an address
     * that does not resolve yet fails the check, not the start). The caller closes it.
     */
    Probe probe();

    /** A check of one dependency. Thread-safe. */
    interface Probe extends AutoCloseable {
        /**
         * Returns when the system answers, within a few seconds (at most the connector's connect timeout).
         *
         * @throws Exception saying why it does not answer; the message names the system and holds no secret
         */
        void check() throws Exception;

        /** Releases the probe's client. Idempotent. */
        @Override
        default void close() {
        }
    }

    /** A dependency named {@code name} whose probes {@code probes} makes. */
    static Dependency of(String name, Supplier<Probe> probes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(probes, "probes");
        return new Dependency() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Probe probe() {
                return probes.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * The dependencies of the connectors given (those that are {@link Remote}), the first of each name
     * kept, in order.
     */
    static List<Dependency> of(Iterable<?> connectors) {
        Map<String, Dependency> byName = new LinkedHashMap<>();
        for (Object c : connectors) {
            if (c instanceof Remote remote) {
                Dependency d = remote.dependency();
                byName.putIfAbsent(d.name(), d);
            }
        }
        return new ArrayList<>(byName.values());
    }
}
