package dev.kindling.continuous.internal;

import dev.kindling.continuous.CommittedBatch;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.ipp.Watermark;

/** What a cycle body found out so far; filled on the cycle's thread, read by the accounting after the body returned or threw. */
public final class CycleAttempt {
    /** The lease grant the cycle runs under ({@link Fence#NONE} without replicas); its commit goes through it. */
    public final Fence fence;
    public Long batchId;
    public Watermark from;
    public Watermark upTo;
    public long rowsRead = -1;
    public long rowsWritten = -1;
    public long deadLetters = -1;
    public CommittedBatch committed;
    public boolean committedKnown;
    public CycleOutcome outcome = CycleOutcome.FAILED;

    CycleAttempt(Fence fence) {
        this.fence = fence;
    }

    /** Marks the attempt as a cycle that found nothing new. */
    void idle() {
        outcome = CycleOutcome.IDLE;
        rowsRead = 0;
        rowsWritten = 0;
        deadLetters = 0;
    }
}
