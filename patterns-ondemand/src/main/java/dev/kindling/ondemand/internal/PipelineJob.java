package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.WriteResult;
import dev.kindling.ondemand.Job;
import dev.kindling.ondemand.JobContext;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A whole batch pipeline as a job: each run reads the source, processes and writes to the sink
 * ({@link Pipeline#runBatch}) as a batch whose id is larger than the last run's: the run's start in
 * epoch milliseconds, or the last id + 1 when runs start within the same millisecond. The params are ignored.
 */
public final class PipelineJob implements Job<JsonNode, WriteResult> {
    private final Pipeline pipeline;
    private final AtomicLong lastBatchId = new AtomicLong(-1);

    public PipelineJob(Pipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    @Override
    public WriteResult run(JobContext context, JsonNode params) {
        long now = System.currentTimeMillis();
        long batchId = lastBatchId.updateAndGet(last -> Math.max(last + 1, now));
        return pipeline.runBatch(context.spark(), batchId);
    }
}
