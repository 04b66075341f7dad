package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleReport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cycles asked for and not yet started. Every request made before the next cycle starts gets a
 * copy of one future, so one cycle answers them all and a flood of requests holds one entry.
 *
 * <pre>{@code
 * CompletableFuture<CycleReport> mine = requested.add();      // an HTTP thread
 * List<CompletableFuture<CycleReport>> answers = requested.takeAll();   // the cycle thread, as a cycle starts
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class RequestedCycles {
    private final String name;
    private final List<CompletableFuture<CycleReport>> pending = new ArrayList<>();

    RequestedCycles(String name) {
        this.name = name;
    }

    /** A request: a copy of the next cycle's future (a caller that cancels its copy does not cancel the others'). */
    synchronized CompletableFuture<CycleReport> add() {
        if (pending.isEmpty()) {
            pending.add(new CompletableFuture<>());
        }
        return pending.get(0).copy();
    }

    synchronized boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The requests the cycle that starts now answers; none are left. */
    synchronized List<CompletableFuture<CycleReport>> takeAll() {
        List<CompletableFuture<CycleReport>> all = new ArrayList<>(pending);
        pending.clear();
        return all;
    }

    /** Fails every pending request: {@code why} happened before the requested cycle ran. */
    synchronized void failAll(String why) {
        for (CompletableFuture<CycleReport> f : pending) {
            f.completeExceptionally(new IllegalStateException(why + " before the requested cycle of '" + name + "' ran"));
        }
        pending.clear();
    }
}
