package dev.kindling.ipp;

/**
 * The three shapes of pipeline, one per pattern, and the capabilities each needs.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder(PipelineKind.STREAMING).source(kafka).sink(table).build();
 * }</pre>
 */
public enum PipelineKind {
    /** Read all, process, write once: the on-demand batch pattern. */
    BATCH("on-demand batch", Capability.BATCH_READ, Capability.BATCH_WRITE),
    /** Read only what is new since a watermark, write, commit: the continuous batch pattern. */
    INCREMENTAL("continuous batch", Capability.INCREMENTAL_READ, Capability.BATCH_WRITE),
    /** An unbounded read and a streaming write: the stream processing pattern. */
    STREAMING("stream processing", Capability.STREAM_READ, Capability.STREAM_WRITE);

    private final String pattern;
    private final Capability sourceCapability;
    private final Capability sinkCapability;

    PipelineKind(String pattern, Capability sourceCapability, Capability sinkCapability) {
        this.pattern = pattern;
        this.sourceCapability = sourceCapability;
        this.sinkCapability = sinkCapability;
    }

    /** The name of the pattern this kind of pipeline runs in, for messages. */
    public String pattern() {
        return pattern;
    }

    public Capability sourceCapability() {
        return sourceCapability;
    }

    public Capability sinkCapability() {
        return sinkCapability;
    }
}
