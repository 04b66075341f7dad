package dev.kindling.ipp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Ingest-Process-Publish: a source, processors and a sink, checked to fit one pattern.
 * Immutable; built by {@link #builder(PipelineKind)}, which validates everything in {@code build()}.
 *
 * <pre>{@code
 * Connectors connectors = Connectors.builtIn();
 * Pipeline evens = Pipeline.builder(PipelineKind.BATCH)
 *         .name("evens")
 *         .source(connectors.source("range:0..1000"))
 *         .process(Processor.filter("id % 2 = 0"))
 *         .process(Processor.sql("SELECT count(*) AS evens FROM input"))
 *         .sink(connectors.sink("console:"))
 *         .build();
 * WriteResult result = evens.runBatch(spark, 0);
 * }</pre>
 *
 * <p>A pipeline holds no Spark state and may be run from any thread; runners decide when and how
 * often it runs.
 */
public final class Pipeline {
    private final String name;
    private final PipelineKind kind;
    private final Source source;
    private final List<Processor> processors;
    private final Sink sink;

    private Pipeline(Builder b) {
        this.name = b.name;
        this.kind = b.kind;
        this.source = b.source;
        this.processors = List.copyOf(b.processors);
        this.sink = b.sink;
    }

    /** A builder for a pipeline of the given kind. */
    public static Builder builder(PipelineKind kind) {
        return new Builder(kind);
    }

    public String name() {
        return name;
    }

    public PipelineKind kind() {
        return kind;
    }

    public Source source() {
        return source;
    }

    public List<Processor> processors() {
        return processors;
    }

    public Sink sink() {
        return sink;
    }

    /** The source as the capability {@code type}; it was checked in {@code build()}. */
    public <T extends Source> T sourceAs(Class<T> type) {
        return type.cast(source);
    }

    /** The sink as the capability {@code type}; it was checked in {@code build()}. */
    public <T extends Sink> T sinkAs(Class<T> type) {
        return type.cast(sink);
    }

    /** Applies the processors, in order, to {@code input}. */
    public Dataset<Row> process(Dataset<Row> input) {
        Dataset<Row> current = input;
        for (Processor p : processors) {
            current = p.process(current);
        }
        return current;
    }

    /**
     * Reads the whole source, processes it and writes it as batch {@code batchId}. Only for
     * {@link PipelineKind#BATCH} pipelines.
     */
    public WriteResult runBatch(SparkSession spark, long batchId) {
        if (kind != PipelineKind.BATCH) {
            throw new ConfigurationException("pipeline '" + name + "' is a " + kind + " pipeline; runBatch needs a BATCH one");
        }
        Dataset<Row> out = process(sourceAs(BatchReadable.class).read(spark));
        return sinkAs(BatchWritable.class).write(out, batchId);
    }

    @Override
    public String toString() {
        return "Pipeline[" + name + ", " + kind + ": " + source.name() + " -> " + processors.size()
                + " processor(s) -> " + sink.name() + "]";
    }

    /**
     * Builds a {@link Pipeline}. Setters reject nulls; {@link #build()} checks that a source and a
     * sink are set and that they have the capabilities the kind needs.
     */
    public static final class Builder {
        private final PipelineKind kind;
        private String name = "pipeline";
        private Source source;
        private final List<Processor> processors = new ArrayList<>();
        private Sink sink;

        private Builder(PipelineKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        /** A name for logs and metrics; default {@code pipeline}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder source(Source source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Appends a processor; processors run in the order they were added. None: the input is published as is. */
        public Builder process(Processor processor) {
            processors.add(Objects.requireNonNull(processor, "processor"));
            return this;
        }

        public Builder sink(Sink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * @throws ConfigurationException when the source or sink is missing or lacks the capability
         *         the pipeline's pattern needs; the message names the component and the capability
         */
        public Pipeline build() {
            if (source == null) {
                throw new ConfigurationException("pipeline '" + name + "' has no source: call source(...)");
            }
            if (sink == null) {
                throw new ConfigurationException("pipeline '" + name + "' has no sink: call sink(...)");
            }
            requireCapability("source", source, kind.sourceCapability());
            requireCapability("sink", sink, kind.sinkCapability());
            return new Pipeline(this);
        }

        private void requireCapability(String role, Object component, Capability needed) {
            if (!needed.isPresentIn(component)) {
                String componentName = component instanceof Source s ? s.name() : ((Sink) component).name();
                throw new ConfigurationException(role + " '" + componentName + "' cannot be used in a "
                        + kind.pattern() + " pipeline ('" + name + "'): it lacks the " + needed.description()
                        + " capability (" + needed.type().getSimpleName() + ")");
            }
        }
    }
}
