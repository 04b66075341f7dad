package dev.kindling.ipp;

/**
 * Where a pipeline ingests data from. A source has a name and nothing else; what it can do is said
 * by the capability interfaces it implements:
 *
 * <ul>
 *   <li>{@link BatchReadable} — read everything once (on-demand batch);</li>
 *   <li>{@link StreamReadable} — read as an unbounded stream (stream processing);</li>
 *   <li>{@link IncrementalReadable} — read only what is newer than a {@link Watermark} (continuous batch).</li>
 * </ul>
 *
 * <pre>{@code
 * Source numbers = Connectors.builtIn().source("range:0..1000");
 * if (numbers instanceof BatchReadable batch) {
 *     long n = batch.read(spark).count();
 * }
 * }</pre>
 *
 * <p>Sources are immutable and may be used from any thread; the datasets they return belong to the
 * session passed in.
 */
public interface Source {
    /** A short name for messages and metrics, for example {@code kafka://broker:9092/words}. Never holds a secret. */
    String name();
}
