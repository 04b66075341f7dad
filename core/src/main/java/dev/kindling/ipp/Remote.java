package dev.kindling.ipp;

/**
 * A capability of sources, sinks and stores that work through a remote system: they name it, so that the
 * service's readiness can check it.
 *
 * <pre>{@code
 * Source words = Connectors.builtIn().source("kafka://broker:9092/words");
 * if (words instanceof Remote remote) {
 *     remote.dependency().name();   // "kafka broker:9092"
 * }
 * }</pre>
 *
 * <p>The runners collect the dependencies of their pipeline (source, sink, dead letters) and of their
 * stores; a service checks each one at every {@code GET /readyz}.
 */
public interface Remote {
    /** The remote system this connector needs. */
    Dependency dependency();
}
