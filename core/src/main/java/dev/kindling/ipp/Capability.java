package dev.kindling.ipp;

/**
 * The optional abilities of sources and sinks, each a separate interface.
 *
 * <pre>{@code
 * boolean canStream = Capability.STREAM_READ.isPresentIn(source);
 * }</pre>
 */
public enum Capability {
    BATCH_READ("batch read", BatchReadable.class),
    STREAM_READ("streaming read", StreamReadable.class),
    INCREMENTAL_READ("incremental read since a watermark", IncrementalReadable.class),
    BATCH_WRITE("batch write", BatchWritable.class),
    STREAM_WRITE("streaming write", StreamWritable.class);

    private final String description;
    private final Class<?> type;

    Capability(String description, Class<?> type) {
        this.description = description;
        this.type = type;
    }

    public String description() {
        return description;
    }

    /** The interface a component implements to have this capability. */
    public Class<?> type() {
        return type;
    }

    public boolean isPresentIn(Object component) {
        return type.isInstance(component);
    }
}
