package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The available-now cycle: start the streaming pipeline with {@code Trigger.AvailableNow()} and a
 * checkpoint, let Spark read everything that arrived since the checkpoint, wait for the query to
 * end. Spark's checkpoint is the progress (offsets before a batch, commit after the sink).
 */
public final class AvailableNowCycle implements CycleBody {
    private final SparkSession spark;
    private final Pipeline pipeline;
    private final String checkpoint;
    private final String outputMode;
    private volatile StreamingQuery running;

    public AvailableNowCycle(SparkSession spark, Pipeline pipeline, String checkpoint, String outputMode) {
        this.spark = spark;
        this.pipeline = pipeline;
        this.checkpoint = checkpoint;
        this.outputMode = outputMode;
    }

    @Override
    public String mode() {
        return "available-now";
    }

    @Override
    public void run(CycleAttempt a, CycleListener listener) {
        Dataset<Row> input = pipeline.sourceAs(StreamReadable.class).readStream(spark);
        StreamingQuery query;
        try {
            query = pipeline.sinkAs(StreamWritable.class).writeStream(pipeline.process(input))
                    .option("checkpointLocation", checkpoint)
                    .outputMode(outputMode)
                    .trigger(Trigger.AvailableNow())
                    .start();
        } catch (TimeoutException e) {
            throw new KindlingException("the available-now query of " + pipeline.name() + " did not start: " + e.getMessage(), e);
        }
        running = query;
        try {
            query.awaitTermination();
        } catch (StreamingQueryException e) {
            throw new KindlingException("the available-now run of " + pipeline.name() + " failed: " + Failures.rootMessage(e), e);
        } finally {
            running = null;
        }
        long read = 0;
        long written = 0;
        boolean writtenKnown = true;
        Long lastBatch = null;
        for (StreamingQueryProgress p : query.recentProgress()) {
            if (p.numInputRows() > 0) {
                read += p.numInputRows();
                lastBatch = p.batchId();
                long out = p.sink() == null ? -1 : p.sink().numOutputRows();
                if (out < 0) {
                    writtenKnown = false;
                } else {
                    written += out;
                }
            }
        }
        a.rowsRead = read;
        a.rowsWritten = writtenKnown ? written : -1;
        a.batchId = lastBatch;
        if (lastBatch == null) {
            a.outcome = CycleOutcome.IDLE;
            a.rowsWritten = 0;
            return;
        }
        listener.afterPublish(lastBatch, null);
        a.outcome = CycleOutcome.PUBLISHED;
    }

    @Override
    public void cancel() {
        StreamingQuery q = running;
        if (q != null) {
            try {
                q.stop();
            } catch (TimeoutException e) {
                throw new KindlingException("the available-now query of " + pipeline.name() + " did not stop: " + e.getMessage(), e);
            }
        }
    }
}
