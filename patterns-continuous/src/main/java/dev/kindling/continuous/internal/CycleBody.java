package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleListener;

/** One mode of running a cycle: read what is new, process, publish, commit. Called on one thread at a time. */
public interface CycleBody {
    /** Runs a cycle, recording what it did in {@code attempt}; throws when the cycle failed. */
    void run(CycleAttempt attempt, CycleListener listener);

    /** Cancels the running cycle's Spark work, from another thread; the cycle then fails without committing. */
    void cancel();
}
