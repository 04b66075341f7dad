package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cycle loop and what follows each cycle: the schedule (interval after a success, backoff after a
 * failure), the state moves (RUNNING, PAUSED, RECOVERING, FAILED) through the component's context,
 * requested cycles, pause and resume, the pipeline's lease ({@link Leadership}: a standby's loop waits
 * for it, a replica that loses it abandons its cycle), and the stop.
 *
 * <p>Threads: {@link #start} starts the loop on {@code context.newThread("cycles", ...)}, so a
 * {@code Throwable} escaping it moves the component to FAILED. {@link #request}, {@link #pause},
 * {@link #resume}, {@link #runOnce} and {@link #nextCycleAt} may be called from any thread;
 * {@link #stop} from the service's stopping thread, {@link #leaseLost} from the lease keeper's.
 */
public final class CycleSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(CycleSupervisor.class);

    /** What the loop does next: run a cycle answering {@code answers}, or (null answers) wait for the lease again. */
    private record Turn(List<CompletableFuture<CycleReport>> answers) {
    }

    private final String name;
    private final CycleAccount account;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final RequestedCycles requested;

    // set once by start (under lock), read without it
    private volatile ComponentContext context;
    private volatile CycleBody body;
    private volatile CyclePolicy policy;
    private volatile Leadership leadership;
    // guarded by lock
    private Thread thread;
    private boolean paused;
    private volatile boolean stopping; // written under lock
    private boolean failed;
    private Instant nextCycleAt;
    private long leadingToken = -1;

    public CycleSupervisor(String name, CycleAccount account) {
        this.name = name;
        this.account = account;
        this.requested = new RequestedCycles(name);
    }

    /**
     * Starts campaigning for the lease and the loop; the first cycle runs at once (once this replica
     * leads) unless {@code policy} says to start paused.
     */
    public void start(ComponentContext context, CycleBody body, CyclePolicy policy, Leadership leadership) {
        lock.lock();
        try {
            if (this.context != null) {
                throw new IllegalStateException("continuous runner '" + name + "' was already started");
            }
            this.body = body;
            this.policy = policy;
            this.leadership = leadership;
            this.context = context; // last: whoever sees the context sees the rest
            this.paused = policy.startPaused();
            this.nextCycleAt = paused ? null : Instant.now();
            if (paused) {
                context.moveTo(ComponentState.PAUSED);
            }
            leadership.start(this::leaseLost, context);
            thread = context.newThread("cycles", this::loop);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #start} has run. */
    public boolean started() {
        return context != null;
    }

    /**
     * Asks for a cycle now, even when paused or backing off. Every request made before that cycle
     * starts gets the same future: one cycle answers them all. On a replica that does not lead, the
     * request waits until it does, unless another replica is known to lead.
     *
     * @throws StandbyException when another replica leads
     * @throws IllegalStateException when the runner is not started, stopping, stopped or failed
     */
    public CompletableFuture<CycleReport> request() {
        lock.lock();
        try {
            requireAlive();
            Optional<String> other = leadership.otherLeader();
            if (other.isPresent()) {
                throw new StandbyException(name, other.get());
            }
            CompletableFuture<CycleReport> f = requested.add();
            changed.signalAll();
            return f;
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
     * Runs one cycle on the calling thread (waiting while another runs, and with replicas until this
     * one leads), then applies its outcome to the state as a scheduled cycle would, without moving the schedule.
     */
    public CycleReport runOnce() {
        lock.lock();
        try {
            requireAlive(); // body and leadership are set once, before the context
        } finally {
            lock.unlock();
        }
        Fence fence = leadership.awaitFenceForCaller();
        CycleAccount.Result r;
        try {
            r = account.run(body, fence);
        } catch (Error e) {
            fail(e, e);
            throw e;
        }
        afterCycle(r, fence, false);
        return r.report();
    }

    /** The lease keeper lost this replica's grant: pending requests fail, a running cycle's Spark jobs are cancelled. */
    public void leaseLost(String why) {
        CycleBody b;
        lock.lock();
        try {
            b = body;
            requested.failAll("this replica lost the lease (" + why + ")");
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (b != null && account.running()) {
            b.cancel(); // the cycle gives up at its next step at the latest, and its commit would be refused
        }
    }

    /** Who runs the cycles, or null before {@link #start}. */
    public Leadership leadership() {
        return leadership;
    }

    /** When the next scheduled cycle starts; null when paused, stopping, stopped or failed. */
    public Instant nextCycleAt() {
        lock.lock();
        try {
            return paused || stopping || failed || leadership == null || !leadership.leads() ? null : nextCycleAt;
        } finally {
            lock.unlock();
        }
    }

    /** The component's state now, or NEW before {@link #start}. */
    public ComponentState state() {
        return context == null ? ComponentState.NEW : context.state();
    }

    /** Whether the service has begun to shut down (a request handler that waits should answer now). */
    public boolean shuttingDown() {
        return context == null || context.shuttingDown();
    }

    /** The policy the runner started with, or null before. */
    public CyclePolicy policy() {
        return policy;
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
                Fence fence = leadership.awaitFence(); // a standby waits here
                Turn turn = awaitNextCycle(fence);
                if (turn == null) {
                    return;
                }
                if (turn.answers() == null) {
                    continue; // the lease was lost: wait for it again
                }
                CycleAccount.Result r;
                try {
                    r = account.run(body, fence);
                } catch (Error e) {
                    turn.answers().forEach(f -> f.completeExceptionally(e));
                    throw e;
                }
                try {
                    afterCycle(r, fence, true); // the state first: whoever waits for the report then sees the state it led to
                } finally {
                    turn.answers().forEach(f -> f.complete(r.report()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!stopping) {
                throw new IllegalStateException("the cycle loop of continuous runner '" + name + "' was interrupted", e);
            }
        } finally {
            lock.lock();
            try {
                if (!stopping) {
                    failed = true; // the loop died: the service moves the component to FAILED with the Throwable
                }
                requested.failAll(stopping ? "the runner stopped" : "the runner failed");
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits until a cycle is due or requested under {@code fence}; returns the requests it answers, a
     * turn without answers when the lease was lost, or null when the loop must end.
     */
    private Turn awaitNextCycle(Fence fence) throws InterruptedException {
        lock.lock();
        try {
            if (fence.token() != leadingToken) { // newly elected (or the first turn without replicas): a cycle at once
                leadingToken = fence.token();
                if (!paused) {
                    nextCycleAt = Instant.now();
                }
            }
            while (!stopping && !failed && !fence.lost() && requested.isEmpty()) {
                if (paused || nextCycleAt == null) {
                    changed.await();
                    continue;
                }
                long waitMs = Duration.between(Instant.now(), nextCycleAt).toMillis();
                if (waitMs <= 0) {
                    break; // a cycle is due
                }
                changed.await(waitMs, TimeUnit.MILLISECONDS);
            }
            if (stopping || failed) {
                return null;
            }
            return new Turn(fence.lost() ? null : requested.takeAll());
        } finally {
            lock.unlock();
        }
    }

    /** Applies a cycle's outcome: state, last error, and (for the loop's own cycles) the next cycle's time. */
    private void afterCycle(CycleAccount.Result r, Fence fence, boolean schedule) {
        lock.lock();
        try {
            if (stopping || failed) {
                return; // a cycle cut short by the stop, or one that ended after the runner failed: nothing to change
            }
            if (r.report().outcome() == CycleOutcome.ABANDONED) {
                leadership.refuse(fence); // no cycle under this token again: this replica waits for the lease
                return;
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
            requested.failAll("the runner failed (" + Failures.summary(cause) + ")");
            changed.signalAll();
            context.fail(error);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops by {@code deadline}: no new cycle starts; the current one may finish while most of what is
     * left of the deadline lasts, then its Spark jobs are cancelled (nothing is committed); then the
     * lease is released.
     */
    public void stop(Deadline deadline) throws InterruptedException {
        Thread t;
        CycleBody b;
        Leadership l;
        lock.lock();
        try {
            stopping = true;
            nextCycleAt = null;
            t = thread;
            b = body;
            l = leadership;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.wake(); // a standby's loop stops waiting for the lease
        }
        if (t != null && t != Thread.currentThread()) {
            CycleJoin.join(name, t, b, deadline);
        }
        requested.failAll("the runner stopped");
        if (l != null) {
            l.close(); // after the cycle thread ended: a standby takes over at once
        }
        LOG.info("continuous runner '{}' stopped", name);
    }
}
