package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.Progress;
import dev.kindling.ipp.Watermark;

/** What a cycle body found out so far; filled on the cycle thread, read by the runner after the body returned or threw. */
public final class CycleAttempt {
    public Long batchId;
    public Watermark from;
    public Watermark upTo;
    public long rowsRead = -1;
    public long rowsWritten = -1;
    public Progress committed;
    public boolean committedKnown;
    public CycleOutcome outcome = CycleOutcome.FAILED;
}
