package dev.kindling.ipp;

import dev.kindling.connect.internal.LocalCheckpointFileManager;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.util.LongAccumulator;

/**
 * How a {@link PipelineKind#STREAMING} pipeline becomes Structured Streaming queries, the one
 * assembly every runner uses (the streaming runner, and the continuous runner's available-now
 * mode): source → decoder → processors → sink as the main query, with its output mode checked
 * against the plan by Spark's own checker before anything starts; and, when the pipeline has a
 * dead-letter sink, a second query that reads the same source and writes only the rejected records.
 *
 * <pre>{@code
 * StreamingPlan plan = StreamingPlan.of(pipeline, spark, "auto");     // fails here on a mode that does not fit
 * StreamingQuery main = plan.mainQuery("wordcount", "/var/lib/wc/checkpoint").trigger(trigger).start();
 * Optional<DataStreamWriter<Row>> dead = plan.deadLetterQuery("wordcount", "/var/lib/wc/checkpoint");
 * }</pre>
 *
 * <p>Checkpoints: the main query keeps {@code CHECKPOINT/query}, the dead-letter query
 * {@code CHECKPOINT/dead-letters}; a sink that keeps state of its own is given {@code CHECKPOINT}
 * through {@link StreamWritable#prepare}. A checkpoint on the local disk is written by
 * Kindling's {@code LocalCheckpointFileManager}: no process forked per file, each file forced to disk before
 * its atomic rename; a session that names its own {@code spark.sql.streaming.checkpointFileManagerClass}
 * keeps it. The number of rejected records is counted by the main query's filter ({@link #rejectedCount}), so it is counted even without a dead-letter sink.
 */
public final class StreamingPlan {
    /** The output modes a query can ask for, besides {@code auto}. */
    public static final List<String> OUTPUT_MODES = OutputModes.MODES;

    private final Pipeline pipeline;
    private final SparkSession spark;
    private final Dataset<Row> result;
    private final String outputMode;
    private final LongAccumulator rejected;

    private StreamingPlan(Pipeline pipeline, SparkSession spark, Dataset<Row> result, String outputMode, LongAccumulator rejected) {
        this.pipeline = pipeline;
        this.spark = spark;
        this.result = result;
        this.outputMode = outputMode;
        this.rejected = rejected;
    }

    /**
     * Reads the source as a stream and applies the decoder and processors (lazily: no query runs).
     *
     * @param outputMode {@code auto} (append when Spark accepts it, else update), {@code append},
     *                   {@code update} or {@code complete}
     * @throws ConfigurationException when the pipeline is not a STREAMING one, or Spark rejects the
     *         output mode (the message has Spark's reason and the modes that would work)
     */
    public static StreamingPlan of(Pipeline pipeline, SparkSession spark, String outputMode) {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(outputMode, "outputMode");
        if (pipeline.kind() != PipelineKind.STREAMING) {
            throw new ConfigurationException("pipeline '" + pipeline.name() + "' is a " + pipeline.kind()
                    + " pipeline; a streaming query needs a STREAMING one");
        }
        Dataset<Row> raw = pipeline.sourceAs(StreamReadable.class).readStream(spark);
        RecordDecoder decoder = pipeline.decoder();
        Dataset<Row> input = raw;
        LongAccumulator rejected = null;
        if (decoder.canReject()) {
            rejected = spark.sparkContext().longAccumulator("kindling_rejected_" + pipeline.name());
            input = RecordDecoder.accepted(decoder.decode(raw), rejected);
        }
        Dataset<Row> result = pipeline.process(input);
        String mode = OutputModes.resolve(result, outputMode.trim().toLowerCase(java.util.Locale.ROOT), pipeline.name());
        return new StreamingPlan(pipeline, spark, result, mode, rejected);
    }

    /**
     * How many records the decoder has rejected in the main queries started from this plan: complete for every
     * micro-batch (or, in real-time mode, every checkpoint interval) that has ended; 0 for a decoder that rejects
     * nothing. It is counted even without a dead-letter sink.
     */
    public long rejectedCount() {
        return rejected == null ? 0 : rejected.value();
    }

    /** The output mode the main query runs in. */
    public String outputMode() {
        return outputMode;
    }

    /** Whether the main query keeps state that lives in its checkpoint (it aggregates: update or complete mode). */
    public boolean stateful() {
        return !outputMode.equals("append");
    }

    /** The processed stream the main query writes. */
    public Dataset<Row> result() {
        return result;
    }

    /**
     * The main query's writer, named {@code queryName}, in the resolved output mode, checkpointing in
     * {@code CHECKPOINT/query} (no checkpoint when {@code checkpoint} is null). The sink is
     * {@linkplain StreamWritable#prepare prepared} first. Not started; the caller sets the trigger.
     *
     * @throws ConfigurationException when the query keeps state or its sink needs a checkpoint and there is none
     */
    public DataStreamWriter<Row> mainQuery(String queryName, String checkpoint) {
        StreamWritable sink = pipeline.sinkAs(StreamWritable.class);
        if (checkpoint == null && stateful()) {
            throw new ConfigurationException("query '" + queryName + "' keeps state (it aggregates; output mode " + outputMode
                    + "), and its state lives in the checkpoint: give it a checkpoint");
        }
        sink.prepare(spark, result.schema(), outputMode, checkpoint);
        useLocalCheckpointFiles(spark, checkpoint);
        DataStreamWriter<Row> writer = sink.writeStream(result).queryName(queryName).outputMode(outputMode);
        return checkpoint == null ? writer : writer.option("checkpointLocation", checkpoint + "/query");
    }

    /**
     * The dead-letter query's writer, when the pipeline has a dead-letter sink: it reads the source
     * again, keeps the rejected records in the sink's {@linkplain Sink#shapeDeadLetters layout}, and
     * appends them, named {@code QUERYNAME_dead_letters}, checkpointing in {@code CHECKPOINT/dead-letters}.
     */
    public Optional<DataStreamWriter<Row>> deadLetterQuery(String queryName, String checkpoint) {
        return deadLetterQuery(queryName, checkpoint, false);
    }

    /**
     * {@link #deadLetterQuery(String, String)}, in update mode when {@code realTime}: Spark's real-time mode runs
     * in update mode only, which for this stateless query writes what append mode would.
     */
    public Optional<DataStreamWriter<Row>> deadLetterQuery(String queryName, String checkpoint, boolean realTime) {
        Optional<Sink> dead = pipeline.deadLetters();
        if (dead.isEmpty()) {
            return Optional.empty();
        }
        if (checkpoint == null) {
            throw new ConfigurationException("the dead letters of query '" + queryName + "' need a checkpoint");
        }
        StreamWritable sink = (StreamWritable) dead.get();
        Dataset<Row> rejected = RecordDecoder.rejected(pipeline.decoder().decode(pipeline.sourceAs(StreamReadable.class).readStream(spark)));
        Dataset<Row> shaped = sink.shapeDeadLetters(rejected);
        String mode = realTime ? "update" : "append";
        sink.prepare(spark, shaped.schema(), mode, checkpoint);
        useLocalCheckpointFiles(spark, checkpoint);
        return Optional.of(sink.writeStream(shaped).queryName(queryName + "_dead_letters").outputMode(mode)
                .option("checkpointLocation", checkpoint + "/dead-letters"));
    }

    /**
     * Has Spark write the checkpoint of a query on the local disk with {@code LocalCheckpointFileManager} (no
     * process forked per file, content forced to disk before the atomic rename) unless the session names a
     * manager of its own in {@code spark.sql.streaming.checkpointFileManagerClass}. The setting is the
     * session's; the class hands any non-local path to Spark's own manager.
     */
    static void useLocalCheckpointFiles(SparkSession spark, String checkpoint) {
        if (checkpoint != null && LocalCheckpointFileManager.isLocal(checkpoint)
                && spark.conf().getOption(LocalCheckpointFileManager.SPARK_SETTING).isEmpty()) {
            spark.conf().set(LocalCheckpointFileManager.SPARK_SETTING, LocalCheckpointFileManager.class.getName());
        }
    }
}
