package dev.kindling.ipp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Ingest-Process-Publish: a source, an optional decoder with its dead letters, processors and a
 * sink, checked to fit one pattern. Immutable; built by {@link #builder(PipelineKind)}, which
 * validates everything in {@code build()}.
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
 * <p><b>Decoding.</b> With {@link Builder#decoder(RecordDecoder)}, each record's raw {@code value}
 * is decoded before the processors see it; records that cannot be decoded go to the
 * {@link Builder#deadLetters(Sink) dead-letter sink} (or are dropped and counted when there is
 * none). The same holds in every pattern: {@link #publish} does it for a batch, {@link StreamingPlan}
 * for a stream.
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
    private final RecordDecoder decoder;
    private final Sink deadLetters;

    private Pipeline(Builder b) {
        this.name = b.name;
        this.kind = b.kind;
        this.source = b.source;
        this.processors = List.copyOf(b.processors);
        this.sink = b.sink;
        this.decoder = b.decoder;
        this.deadLetters = b.deadLetters;
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

    /** How the source's records are decoded; {@link RecordDecoder#none()} unless set. */
    public RecordDecoder decoder() {
        return decoder;
    }

    /** Where records the decoder rejects go, if anywhere. */
    public Optional<Sink> deadLetters() {
        return Optional.ofNullable(deadLetters);
    }

    /**
     * The remote systems this pipeline needs: those of its source, sink and dead-letter sink that are
     * {@link Remote}, one per name.
     */
    public List<Dependency> dependencies() {
        List<Object> connectors = new ArrayList<>(List.of(source, sink));
        deadLetters().ifPresent(connectors::add);
        return Dependency.of(connectors);
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
     * Reads the whole source, publishes it as batch {@code batchId} (see {@link #publish}). Only for
     * {@link PipelineKind#BATCH} pipelines.
     */
    public WriteResult runBatch(SparkSession spark, long batchId) {
        if (kind != PipelineKind.BATCH) {
            throw new ConfigurationException("pipeline '" + name + "' is a " + kind + " pipeline; runBatch needs a BATCH one");
        }
        return publish(sourceAs(BatchReadable.class).read(spark), batchId);
    }

    /**
     * Publishes one batch of source rows: decodes them, writes the records the decoder rejects to the
     * dead-letter sink, processes the rest and writes them to the sink, both as batch {@code batchId}.
     * The input is read once (it is persisted while both writes run). For BATCH and INCREMENTAL
     * pipelines, whose sinks write batches.
     */
    public WriteResult publish(Dataset<Row> input, long batchId) {
        if (kind == PipelineKind.STREAMING) {
            throw new ConfigurationException("pipeline '" + name + "' is a STREAMING pipeline; publish writes batches");
        }
        BatchWritable out = sinkAs(BatchWritable.class);
        if (!decoder.canReject()) {
            return out.write(process(input), batchId);
        }
        Dataset<Row> decoded = decoder.decode(input);
        if (deadLetters == null) {
            LongAccumulator rejected = input.sparkSession().sparkContext().longAccumulator("kindling_rejected_" + name);
            WriteResult main = out.write(process(RecordDecoder.accepted(decoded, rejected)), batchId);
            return new WriteResult(batchId, main.rowsWritten(), rejected.value());
        }
        Dataset<Row> cached = decoded.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            WriteResult dead = ((BatchWritable) deadLetters).write(deadLetters.shapeDeadLetters(RecordDecoder.rejected(cached)), batchId);
            WriteResult main = out.write(process(RecordDecoder.accepted(cached)), batchId);
            return new WriteResult(batchId, main.rowsWritten(), dead.rowsWritten());
        } finally {
            cached.unpersist(false);
        }
    }

    @Override
    public String toString() {
        return "Pipeline[" + name + ", " + kind + ": " + source.name() + (decoder.canReject() ? " -> decode " + decoder : "")
                + " -> " + processors.size() + " processor(s) -> " + sink.name()
                + (deadLetters == null ? "" : ", dead letters -> " + deadLetters.name()) + "]";
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
        private RecordDecoder decoder = RecordDecoder.none();
        private Sink deadLetters;

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

        /** How each record's {@code value} is decoded before the processors; default {@link RecordDecoder#none()}. */
        public Builder decoder(RecordDecoder decoder) {
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            return this;
        }

        /**
         * Where records the decoder rejects go: a sink that writes what the pipeline's kind writes
         * (batches, or a stream), other than the main sink. Needs a decoder that can reject. Unset:
         * rejected records are dropped and counted.
         */
        public Builder deadLetters(Sink deadLetters) {
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
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
            if (deadLetters != null) {
                requireCapability("dead-letter sink", deadLetters, kind.sinkCapability());
                if (!decoder.canReject()) {
                    throw new ConfigurationException("pipeline '" + name + "' has a dead-letter sink but the decoder 'none', which "
                            + "rejects nothing: set decoder(RecordDecoder.text()) or json(...), or remove deadLetters(...)");
                }
                if (deadLetters.name().equals(sink.name())) {
                    throw new ConfigurationException("pipeline '" + name + "': the sink and the dead-letter sink are both '" + sink.name()
                            + "'; give dead letters their own topic or table");
                }
            }
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
