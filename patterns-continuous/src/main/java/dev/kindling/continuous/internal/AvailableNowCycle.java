package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.StreamingPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The available-now cycle: assemble the streaming pipeline with core's {@link StreamingPlan} (decoder,
 * processors, the output-mode check, the dead-letter query when the pipeline has a dead-letter sink),
 * start its queries with {@code Trigger.AvailableNow()} and the checkpoint, let Spark read everything
 * that arrived since the checkpoint, wait for the queries to end. Spark's checkpoint is the progress
 * (offsets before a batch, commit after the sink).
 */
public final class AvailableNowCycle implements CycleBody {
    private final SparkSession spark;
    private final Pipeline pipeline;
    private final String checkpoint;
    private final String outputMode;
    private final List<StreamingQuery> running = new CopyOnWriteArrayList<>();

    public AvailableNowCycle(SparkSession spark, Pipeline pipeline, String checkpoint, String outputMode) {
        this.spark = spark;
        this.pipeline = pipeline;
        this.checkpoint = checkpoint;
        this.outputMode = outputMode;
    }

    @Override
    public void run(CycleAttempt a, CycleListener listener) {
        StreamingPlan plan = StreamingPlan.of(pipeline, spark, outputMode);
        Optional<DataStreamWriter<Row>> deadLetters = plan.deadLetterQuery(pipeline.name(), checkpoint);
        StreamingQuery main = start(plan.mainQuery(pipeline.name(), checkpoint));
        try {
            if (deadLetters.isPresent()) {
                await(start(deadLetters.get()));
            }
            await(main);
        } finally {
            cancel();
            running.clear();
        }
        account(a, main.recentProgress(), plan.rejectedCount());
        if (a.batchId == null) {
            a.idle();
            return;
        }
        listener.afterPublish(a.batchId, null);
        a.outcome = CycleOutcome.PUBLISHED;
    }

    private StreamingQuery start(DataStreamWriter<Row> writer) {
        try {
            StreamingQuery q = writer.trigger(Trigger.AvailableNow()).start();
            running.add(q);
            return q;
        } catch (TimeoutException e) {
            throw new KindlingException("the available-now query of " + pipeline.name() + " did not start: " + e.getMessage(), e);
        }
    }

    private void await(StreamingQuery query) {
        try {
            query.awaitTermination();
        } catch (StreamingQueryException e) {
            throw new KindlingException("the available-now run of " + pipeline.name() + " (query " + query.name() + ") failed: "
                    + Failures.rootMessage(e), e);
        }
    }

    /** Rows read and written and the last batch id from the main query's progress reports; the dead letters its filter counted. */
    private static void account(CycleAttempt a, StreamingQueryProgress[] progress, long dead) {
        long read = 0;
        long written = 0;
        boolean writtenKnown = true;
        Long lastBatch = null;
        List<StreamingQueryProgress> withInput = new ArrayList<>();
        for (StreamingQueryProgress p : progress) {
            if (p.numInputRows() > 0) {
                withInput.add(p);
            }
        }
        for (StreamingQueryProgress p : withInput) {
            read += p.numInputRows();
            lastBatch = p.batchId();
            long out = p.sink() == null ? -1 : p.sink().numOutputRows();
            if (out < 0) {
                writtenKnown = false;
            } else {
                written += out;
            }
        }
        a.rowsRead = read;
        a.rowsWritten = writtenKnown ? written : -1;
        a.deadLetters = dead;
        a.batchId = lastBatch;
    }

    @Override
    public void cancel() {
        for (StreamingQuery q : running) {
            try {
                if (q.isActive()) {
                    q.stop();
                }
            } catch (TimeoutException e) {
                throw new KindlingException("the available-now query " + q.name() + " of " + pipeline.name() + " did not stop: "
                        + e.getMessage(), e);
            }
        }
    }
}
