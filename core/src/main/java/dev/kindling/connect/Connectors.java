package dev.kindling.connect;

import dev.kindling.connect.internal.ConsoleFactory;
import dev.kindling.connect.internal.FileFactory;
import dev.kindling.connect.internal.JdbcFactory;
import dev.kindling.connect.internal.KafkaFactory;
import dev.kindling.connect.internal.MemoryFactory;
import dev.kindling.connect.internal.RangeFactory;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry that builds any source or sink from a URI and options, so that a service can be
 * assembled from configuration alone.
 *
 * <pre>{@code
 * Connectors connectors = Connectors.builtIn();
 * Source words = connectors.source("kafka://127.0.0.1:9092/words");
 * Sink counts = connectors.sink("jdbc:postgresql://127.0.0.1:5432/app",
 *         Map.of("table", "word_counts", "mode", "upsert", "keys", "word", "user", "app", "password.env", "PGPASSWORD"));
 * }</pre>
 *
 * <table>
 *   <caption>Built-in schemes</caption>
 *   <tr><th>URI</th><th>source</th><th>sink</th></tr>
 *   <tr><td>{@code file:/path?format=parquet}</td><td>{@link FileSource}</td><td>{@link FileSink}</td></tr>
 *   <tr><td>{@code jdbc:postgresql://host:5432/db?table=t}</td><td>{@link JdbcSource}</td><td>{@link JdbcSink}</td></tr>
 *   <tr><td>{@code kafka://host:9092/topic}</td><td>{@link KafkaSource}</td><td>{@link KafkaSink}</td></tr>
 *   <tr><td>{@code memory:name}</td><td>{@link MemoryTable}</td><td>{@link MemoryTable}</td></tr>
 *   <tr><td>{@code range:0..1000}</td><td>{@link RangeSource}</td><td>—</td></tr>
 *   <tr><td>{@code console:?rows=20}</td><td>—</td><td>{@link ConsoleSink}</td></tr>
 * </table>
 *
 * <p>More schemes are found with {@link ServiceLoader} ({@link ConnectorFactory}); a user factory
 * may not take a built-in scheme. Immutable and thread-safe.
 */
public final class Connectors {
    private final Map<String, ConnectorFactory> factories;

    private Connectors(Map<String, ConnectorFactory> factories) {
        this.factories = Collections.unmodifiableMap(new TreeMap<>(factories));
    }

    /** The built-in schemes and every {@link ConnectorFactory} found on the class path. */
    public static Connectors builtIn() {
        return withFactories(List.of());
    }

    /** The built-in schemes, those on the class path, and {@code extra}. */
    public static Connectors withFactories(List<ConnectorFactory> extra) {
        Map<String, ConnectorFactory> map = new TreeMap<>();
        for (ConnectorFactory f : List.of(new FileFactory(), new JdbcFactory(), new KafkaFactory(),
                new MemoryFactory(), new RangeFactory(), new ConsoleFactory())) {
            map.put(f.scheme(), f);
        }
        Set<String> builtIn = Set.copyOf(map.keySet());
        List<ConnectorFactory> all = new ArrayList<>();
        ServiceLoader.load(ConnectorFactory.class).forEach(all::add);
        all.addAll(extra);
        for (ConnectorFactory f : all) {
            if (builtIn.contains(f.scheme())) {
                throw new ConfigurationException("connector factory " + f.getClass().getName() + " claims the built-in scheme '"
                        + f.scheme() + ":'; choose another scheme");
            }
            map.put(f.scheme(), f);
        }
        return new Connectors(map);
    }

    /** The schemes this registry knows, sorted. */
    public Set<String> schemes() {
        return new TreeSet<>(factories.keySet());
    }

    public Source source(String uri) {
        return source(uri, Map.of());
    }

    /**
     * The source for {@code uri}; {@code options} override the URI's query parameters.
     *
     * @throws ConfigurationException for an unknown scheme, a scheme without sources, a missing part or an unknown option
     */
    public Source source(String uri, Map<String, String> options) {
        ConnectorUri parsed = ConnectorUri.parse(uri);
        ConnectorFactory f = factory(parsed, true);
        Options merged = merge(f, parsed, options, f.sourceOptions());
        checkOptions(parsed, merged, f.sourceOptions(), "source");
        return f.createSource(parsed, merged);
    }

    public Sink sink(String uri) {
        return sink(uri, Map.of());
    }

    /**
     * The sink for {@code uri}; {@code options} override the URI's query parameters.
     *
     * @throws ConfigurationException for an unknown scheme, a scheme without sinks, a missing part or an unknown option
     */
    public Sink sink(String uri, Map<String, String> options) {
        ConnectorUri parsed = ConnectorUri.parse(uri);
        ConnectorFactory f = factory(parsed, false);
        Options merged = merge(f, parsed, options, f.sinkOptions());
        checkOptions(parsed, merged, f.sinkOptions(), "sink");
        return f.createSink(parsed, merged);
    }

    /** The URI's query parameters that are options (all of them, unless the factory keeps others in the address), then {@code explicit}. */
    private static Options merge(ConnectorFactory f, ConnectorUri uri, Map<String, String> explicit, Set<String> accepted) {
        if (!f.keepsOtherQueryParameters()) {
            return Options.merge(uri, explicit);
        }
        Map<String, String> merged = new java.util.LinkedHashMap<>();
        uri.query().forEach((k, v) -> {
            if (accepts(accepted, k)) {
                merged.put(k, v);
            }
        });
        merged.putAll(explicit);
        return Options.of(merged);
    }

    private static boolean accepts(Set<String> accepted, String name) {
        return accepted.contains(name)
                || accepted.stream().anyMatch(a -> a.endsWith("*") && name.startsWith(a.substring(0, a.length() - 1)));
    }

    private ConnectorFactory factory(ConnectorUri uri, boolean source) {
        ConnectorFactory f = factories.get(uri.scheme());
        String role = source ? "source" : "sink";
        if (f == null) {
            throw new ConfigurationException("unknown scheme '" + uri.scheme() + ":' in '" + uri.redacted()
                    + "'; accepted " + role + "s:\n" + usages(source));
        }
        if (source ? !f.hasSource() : !f.hasSink()) {
            throw new ConfigurationException("scheme '" + uri.scheme() + ":' has no " + role + "; accepted " + role + "s:\n" + usages(source));
        }
        return f;
    }

    private String usages(boolean source) {
        StringBuilder out = new StringBuilder();
        factories.values().stream().filter(f -> source ? f.hasSource() : f.hasSink())
                .forEach(f -> out.append("  ").append(f.usage()).append('\n'));
        return out.toString().stripTrailing();
    }

    private static void checkOptions(ConnectorUri uri, Options options, Set<String> accepted, String role) {
        for (String name : options.asMap().keySet()) {
            if (!accepts(accepted, name)) {
                throw new ConfigurationException("unknown option '" + name + "' for the " + uri.scheme() + ": " + role
                        + " '" + uri.redacted() + "'; accepted: " + String.join(", ", new TreeSet<>(accepted)));
            }
        }
    }
}
