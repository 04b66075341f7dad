package dev.kindling.continuous.internal;

import dev.kindling.continuous.CommittedBatch;
import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.WatermarkStore;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.Watermark;
import dev.kindling.ipp.WriteResult;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

/**
 * The watermark cycle: load the committed batch, ask the source for its newest watermark (no Spark
 * job), stop there when nothing is new, else read the range {@code (committed, newest]}, publish it
 * through the pipeline ({@link Pipeline#publish}: decoder, dead letters, processors, sink) as the
 * next batch id, and commit only after the sink succeeded. With replicas, the cycle gives up before
 * reading and before committing once this replica has lost the lease, and the commit is fenced by the
 * grant the cycle started under ({@link Fence}).
 */
public final class IncrementalCycle implements CycleBody {
    private static final FiniteDuration OBSERVATION_WAIT = FiniteDuration.apply(2, TimeUnit.SECONDS);

    private final SparkSession spark;
    private final Pipeline pipeline;
    private final WatermarkStore store;
    private final String jobGroup;

    public IncrementalCycle(SparkSession spark, Pipeline pipeline, WatermarkStore store) {
        this.spark = spark;
        this.pipeline = pipeline;
        this.store = store;
        this.jobGroup = "kindling-continuous-" + pipeline.name() + "-" + UUID.randomUUID();
    }

    @Override
    public void run(CycleAttempt a, CycleListener listener) {
        Optional<CommittedBatch> last = store.load();
        a.committed = last.orElse(null);
        a.committedKnown = true;
        IncrementalReadable source = pipeline.sourceAs(IncrementalReadable.class);
        Watermark from = last.map(CommittedBatch::watermark).orElse(null);
        a.from = from;
        Optional<Watermark> newest = source.latestWatermark(spark);
        if (newest.isEmpty() || (from != null && compare(newest.get(), from) <= 0)) {
            a.idle();
            return;
        }
        Watermark upTo = newest.get();
        long batchId = last.map(CommittedBatch::nextBatchId).orElse(0L);
        a.batchId = batchId;
        a.upTo = upTo;
        listener.beforeRead(batchId);
        a.fence.requireHeld("reading batch " + batchId);
        spark.sparkContext().setJobGroup(jobGroup, "continuous batch " + batchId + " of " + pipeline.name(), true);
        try {
            Observation observation = new Observation("kindling_cycle_input_" + UUID.randomUUID().toString().replace('-', '_'));
            Dataset<Row> input = source.readIncrement(spark, from, upTo)
                    .observe(observation, functions.count(functions.lit(1)).as("rows"));
            WriteResult result = pipeline.publish(input, batchId);
            if (result.batchId() != batchId) {
                throw new KindlingException("sink " + pipeline.sink().name() + " reported batch " + result.batchId()
                        + " for batch " + batchId + "; not committing");
            }
            a.rowsWritten = result.rowsWritten();
            a.deadLetters = result.deadLetters();
            a.rowsRead = observed(observation);
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        CommittedBatch pending = new CommittedBatch(batchId, upTo, Instant.now());
        listener.afterPublish(batchId, pending);
        a.fence.requireHeld("committing batch " + batchId);
        a.fence.commit(store, pending);
        a.committed = pending;
        a.outcome = CycleOutcome.PUBLISHED;
    }

    private int compare(Watermark newest, Watermark committed) {
        try {
            return newest.compareTo(committed);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the committed watermark " + committed + " in " + store.name()
                    + " and the newest value of " + pipeline.source().name() + " (" + newest + ") are of different kinds: "
                    + "was the watermark column changed? Reset the store to re-read the source", e);
        }
    }

    /** The observed input row count, or -1 when the processing never consumed the input (no metrics). */
    private static long observed(Observation observation) {
        try {
            return Await.result(observation.future(), OBSERVATION_WAIT).getLong(0);
        } catch (java.util.concurrent.TimeoutException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void cancel() {
        spark.sparkContext().cancelJobGroup(jobGroup);
    }
}
