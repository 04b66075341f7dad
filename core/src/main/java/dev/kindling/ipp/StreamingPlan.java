package dev.kindling.ipp;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;

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
 * through {@link StreamWritable#prepare}. The number of rejected records is an observed metric of
 * the main query named {@link #DEAD_LETTER_METRIC} (column {@code n}), so it is counted even without
 * a dead-letter sink.
 */
public final class StreamingPlan {
    /** The name of the main query's observed metric that counts rejected records (column {@code n}). */
    public static final String DEAD_LETTER_METRIC = "kindling_dead_letters";
    /** The output modes a query can ask for, besides {@code auto}. */
    public static final List<String> OUTPUT_MODES = OutputModes.MODES;

    private final Pipeline pipeline;
    private final SparkSession spark;
    private final Dataset<Row> result;
    private final String outputMode;

    private StreamingPlan(Pipeline pipeline, SparkSession spark, Dataset<Row> result, String outputMode) {
        this.pipeline = pipeline;
        this.spark = spark;
        this.result = result;
        this.outputMode = outputMode;
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
        if (decoder.canReject()) {
            Dataset<Row> decoded = decoder.decode(raw).observe(DEAD_LETTER_METRIC, deadLetterCount());
            input = RecordDecoder.accepted(decoded);
        }
        Dataset<Row> result = pipeline.process(input);
        String mode = OutputModes.resolve(result, outputMode.trim().toLowerCase(java.util.Locale.ROOT), pipeline.name());
        return new StreamingPlan(pipeline, spark, result, mode);
    }

    /** The aggregate that counts rejected records of a decoded dataset, as column {@code n}. */
    public static Column deadLetterCount() {
        return count(when(col(RecordDecoder.ERROR_COLUMN).isNotNull(), lit(1))).as("n");
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
        return Optional.of(sink.writeStream(shaped).queryName(queryName + "_dead_letters").outputMode(mode)
                .option("checkpointLocation", checkpoint + "/dead-letters"));
    }

    /**
     * The count in an {@link Observation} of {@link #deadLetterCount()} once the observed action has
     * finished; 0 when the metric does not arrive within 5 seconds (the action never ran the plan).
     */
    static long observedCount(Observation observation) {
        try {
            Row row = scala.concurrent.Await.result(observation.future(),
                    scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
            return row == null || row.isNullAt(0) ? 0 : row.getLong(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) { // scala's Await declares TimeoutException without a Java throws clause
            return 0;
        }
    }
}
