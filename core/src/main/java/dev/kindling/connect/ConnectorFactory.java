package dev.kindling.connect;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.Set;

/**
 * Builds the sources and sinks of one URI scheme. Kindling's built-in factories handle
 * {@code file}, {@code jdbc}, {@code kafka}, {@code memory}, {@code range} and {@code console};
 * users add schemes by implementing this interface and listing the class in
 * {@code META-INF/services/dev.kindling.connect.ConnectorFactory}.
 *
 * <pre>{@code
 * public final class S3InventoryFactory implements ConnectorFactory {
 *     public String scheme() { return "inventory"; }
 *     public String usage() { return "inventory:bucket?day=2026-11-25"; }
 *     public Set<String> sourceOptions() { return Set.of("day"); }
 *     public Source createSource(ConnectorUri uri, Options options) { return new InventorySource(uri.path(), options.require("day", uri.redacted())); }
 * }
 * }</pre>
 *
 * <p>Factories are stateless and thread-safe. {@link Connectors} checks option names against
 * {@link #sourceOptions()} / {@link #sinkOptions()} before calling {@code create*}.
 */
public interface ConnectorFactory {
    /** The lower-case URI scheme, e.g. {@code kafka}. */
    String scheme();

    /** One line showing the URI form, for error messages listing what is accepted. */
    String usage();

    /** Option names a source accepts; a name ending in {@code *} accepts every name with that prefix. */
    default Set<String> sourceOptions() {
        return Set.of();
    }

    /** Option names a sink accepts; a name ending in {@code *} accepts every name with that prefix. */
    default Set<String> sinkOptions() {
        return Set.of();
    }

    /**
     * Whether query parameters of the URI that are not options of this factory belong to the
     * address itself and stay in it (JDBC URLs carry driver parameters such as {@code ?ssl=true});
     * {@code false} (the default) makes them unknown options. Options given in the map are always checked.
     */
    default boolean keepsOtherQueryParameters() {
        return false;
    }

    /** Whether this scheme has sources. */
    default boolean hasSource() {
        return true;
    }

    /** Whether this scheme has sinks. */
    default boolean hasSink() {
        return true;
    }

    default Source createSource(ConnectorUri uri, Options options) {
        throw new ConfigurationException("scheme '" + scheme() + ":' has no source");
    }

    default Sink createSink(ConnectorUri uri, Options options) {
        throw new ConfigurationException("scheme '" + scheme() + ":' has no sink");
    }
}
