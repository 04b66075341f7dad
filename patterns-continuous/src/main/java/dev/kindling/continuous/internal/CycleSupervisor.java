package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleReport;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cycle loop and what follows each cycle: the schedule (interval after a success, backoff after a
 * failure), the state moves (RUNNING, PAUSED, RECOVERING, FAILED) through the component's context,
 * requested cycles, pause and resume, and the stop.
 *
 * <p>Threads: {@link #start} starts the loop on {@code context.newThread("cycles", ...)}, so a
 * {@code Throwable} escaping it moves the component to FAILED. {@link #request}, {@link #pause},
 * {@link #resume}, {@link #runOnce} and {@link #nextCycleAt} may be called from any thread;
 * {@link #stop} from the service's stopping thread.
 */
public final class CycleSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(CycleSupervisor.class);
    /** The most of what is left of the shutdown deadline kept for cancelling a cycle and joining its thread. */
    private static final Duration MAX_CANCEL_RESERVE = Duration.ofSeconds(5);

    private final String name;
    private final CycleAccount account;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<CompletableFuture<CycleReport>> requested = new ArrayList<>();

    // guarded by lock
    private ComponentContext context;
    private CycleBody body;
    private CyclePolicy policy;
    private Thread thread;
    private boolean paused;
    private boolean stopping;
    private boolean failed;
    private Instant nextCycleAt;

    public CycleSupervisor(String name, CycleAccount account) {
        this.name = name;
        this.account = account;
    }

    /** Starts the loop; the first cycle runs at once unless {@code policy} says to start paused. */
    public void start(ComponentContext context, CycleBody body, CyclePolicy policy) {
        lock.lock();
        try {
            if (this.context != null) {
                throw new IllegalStateException("continuous runner '" + name + "' was already started");
            }
            this.context = context;
            this.body = body;
            this.policy = policy;
            this.paused = policy.startPaused();
            this.nextCycleAt = paused ? null : Instant.now();
            if (paused) {
                context.moveTo(ComponentState.PAUSED);
            }
            thread = context.newThread("cycles", this::loop);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #start} has run. */
    public boolean started() {
        lock.lock();
        try {
            return context != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a cycle now, even when paused or backing off. Every request made before that cycle
     * starts gets the same future: one cycle answers them all, and pending requests hold one entry.
     *
     * @throws IllegalStateException when the runner is not started, stopping, stopped or failed
     */
    public CompletableFuture<CycleReport> request() {
        lock.lock();
        try {
            requireAlive();
            // requests made before the next cycle starts are answered by that one cycle: they share its future,
            // so a flood of requests holds one entry, not one per request
            if (requested.isEmpty()) {
                requested.add(new CompletableFuture<>());
                changed.signalAll();
            }
            return requested.get(0).copy(); // a copy: a caller that cancels its future does not cancel the others'

        } finally {
            lock.unlock();
        }
    }

    /** No scheduled cycles until {@link #resume}; requested ones still run. */
    public void pause() {
        lock.lock();
        try {
            requireAlive();
            paused = true;
            nextCycleAt = null;
            context.moveTo(ComponentState.PAUSED);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' paused", name);
    }

    /** Scheduled cycles again; the next one starts at once. */
    public void resume() {
        lock.lock();
        try {
            requireAlive();
            if (!paused) {
                return;
            }
            paused = false;
            nextCycleAt = Instant.now();
            context.moveTo(account.consecutiveFailures() >= policy.unreadyAfterFailures()
                    ? ComponentState.RECOVERING : ComponentState.RUNNING);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' resumed", name);
    }

    /**
     * Runs one cycle on the calling thread (waiting while another runs), then applies its outcome to
     * the state as a scheduled cycle would, without moving the schedule.
     */
    public CycleReport runOnce() {
        CycleBody b;
        lock.lock();
        try {
            requireAlive();
            b = body;
        } finally {
            lock.unlock();
        }
        CycleAccount.Result r;
        try {
            r = account.run(b);
        } catch (Error e) {
            fail(e, e);
            throw e;
        }
        afterCycle(r, false);
        return r.report();
    }

    /** When the next scheduled cycle starts; null when paused, stopping, stopped or failed. */
    public Instant nextCycleAt() {
        lock.lock();
        try {
            return paused || stopping || failed ? null : nextCycleAt;
        } finally {
            lock.unlock();
        }
    }

    /** The component's state now, or NEW before {@link #start}. */
    public ComponentState state() {
        lock.lock();
        try {
            return context == null ? ComponentState.NEW : context.state();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the service has begun to shut down (a request handler that waits should answer now). */
    public boolean shuttingDown() {
        lock.lock();
        try {
            return context == null || context.shuttingDown();
        } finally {
            lock.unlock();
        }
    }

    /** The policy the runner started with, or null before. */
    public CyclePolicy policy() {
        lock.lock();
        try {
            return policy;
        } finally {
            lock.unlock();
        }
    }

    private void requireAlive() {
        if (context == null) {
            throw new IllegalStateException("continuous runner '" + name + "' is not started: add it to a KindlingService and start that");
        }
        if (stopping || failed) {
            throw new IllegalStateException("continuous runner '" + name + "' is " + (failed ? ComponentState.FAILED : context.state())
                    + ": it runs cycles only while started");
        }
    }

    private void loop() {
        try {
            while (true) {
                List<CompletableFuture<CycleReport>> waiting = awaitNextCycle();
                if (waiting == null) {
                    return;
                }
                CycleAccount.Result r;
                try {
                    r = account.run(body);
                } catch (Error e) {
                    waiting.forEach(f -> f.completeExceptionally(e));
                    throw e;
                }
                try {
                    afterCycle(r, true); // the state first: whoever waits for the report then sees the state it led to
                } finally {
                    waiting.forEach(f -> f.complete(r.report()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!stoppingNow()) {
                throw new IllegalStateException("the cycle loop of continuous runner '" + name + "' was interrupted", e);
            }
        } finally {
            lock.lock();
            try {
                if (!stopping) {
                    failed = true; // the loop died: the service moves the component to FAILED with the Throwable
                }
                failRequested(stopping ? "the runner stopped" : "the runner failed");
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean stoppingNow() {
        lock.lock();
        try {
            return stopping;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a cycle is due or requested; returns the requests it answers, or null when the loop must end. */
    private List<CompletableFuture<CycleReport>> awaitNextCycle() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (stopping || failed) {
                    return null;
                }
                if (!requested.isEmpty()) {
                    break;
                }
                if (!paused && nextCycleAt != null) {
                    long waitMs = Duration.between(Instant.now(), nextCycleAt).toMillis();
                    if (waitMs <= 0) {
                        break;
                    }
                    changed.await(waitMs, TimeUnit.MILLISECONDS);
                } else {
                    changed.await();
                }
            }
            List<CompletableFuture<CycleReport>> waiting = new ArrayList<>(requested);
            requested.clear();
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Applies a cycle's outcome: state, last error, and (for the loop's own cycles) the next cycle's time. */
    private void afterCycle(CycleAccount.Result r, boolean schedule) {
        lock.lock();
        try {
            if (stopping || failed) {
                return; // a cycle cut short by the stop, or one that ended after the runner failed: nothing to change
            }
            RuntimeException error = r.error();
            if (error == null) {
                context.clearError();
                if (!paused) {
                    context.moveTo(ComponentState.RUNNING);
                }
                if (schedule && !paused) {
                    nextCycleAt = Instant.now().plus(policy.interval());
                }
                return;
            }
            int n = account.consecutiveFailures();
            if (Failures.isConfiguration(error)) {
                fail(error, error);
                return;
            }
            if (policy.stopAfterFailures() > 0 && n >= policy.stopAfterFailures()) {
                fail(new KindlingException("continuous runner '" + name + "' stops after " + n + " failed cycles in a row; the last: "
                        + Failures.summary(error), error), error);
                return;
            }
            context.reportError(error);
            if (!paused && n >= policy.unreadyAfterFailures()) {
                context.moveTo(ComponentState.RECOVERING);
            }
            if (schedule && !paused) {
                Duration wait = policy.backoff().delay(n);
                nextCycleAt = Instant.now().plus(wait);
                LOG.info("continuous runner '{}': retrying in {} ms (failure {} in a row)", name, wait.toMillis(), n);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fails the runner for good: no more cycles, requests refused, the component FAILED with {@code error}. */
    private void fail(Throwable error, Throwable cause) {
        lock.lock();
        try {
            failed = true;
            nextCycleAt = null;
            failRequested("the runner failed (" + Failures.summary(cause) + ")");
            changed.signalAll();
            context.fail(error);
        } finally {
            lock.unlock();
        }
    }

    private void failRequested(String why) {
        for (CompletableFuture<CycleReport> f : requested) {
            f.completeExceptionally(new IllegalStateException(why + " before the requested cycle of '" + name + "' ran"));
        }
        requested.clear();
    }

    /**
     * Stops by {@code deadline}: no new cycle starts; the current one may finish while most of what is
     * left of the deadline lasts, then its Spark jobs are cancelled (nothing is committed).
     */
    public void stop(Deadline deadline) throws InterruptedException {
        Thread t;
        CycleBody b;
        lock.lock();
        try {
            stopping = true;
            nextCycleAt = null;
            t = thread;
            b = body;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            Duration left = deadline.remaining();
            Duration reserve = left.dividedBy(4).compareTo(MAX_CANCEL_RESERVE) > 0 ? MAX_CANCEL_RESERVE : left.dividedBy(4);
            if (!deadline.atMost(left.minus(reserve)).join(t)) {
                LOG.warn("continuous runner '{}': the current cycle did not finish in time; cancelling its Spark jobs", name);
                try {
                    b.cancel();
                } catch (RuntimeException e) {
                    LOG.warn("continuous runner '{}': cancelling the current cycle failed: {}", name, Failures.summary(e));
                }
                if (!deadline.join(t)) {
                    LOG.warn("continuous runner '{}': thread {} is still running at the shutdown deadline", name, t.getName());
                }
            }
        }
        lock.lock();
        try {
            failRequested("the runner stopped");
        } finally {
            lock.unlock();
        }
        LOG.info("continuous runner '{}' stopped", name);
    }
}
