package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.Job;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import dev.kindling.service.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch and timeouts: a bounded queue, a bounded number of worker slots, the worker threads, each
 * job's timeout, and cancellation of a job's Spark job group.
 *
 * <p><b>Threads.</b> One dispatcher thread takes a worker slot, then a job from the queue, and hands it
 * to a worker thread. A slot is given back exactly once, when the job ends for whatever reason
 * (returned, threw, cancelled, timed out), so a cancelled job frees its slot at once even if its code
 * takes a moment to notice. Timeouts fire on the engine's timer. The dispatcher and the workers are the
 * component's threads: a {@link VirtualMachineError} on one moves the component to FAILED; any other
 * {@code Throwable} of a job's code ends only that job, FAILED.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** What the engine does when a job starts and when it ends. */
    interface Ends {
        void started(JobRecord r);

        void ended(JobRecord r);
    }

    private final SparkSession spark;
    private final SparkContext sc;
    private final Set<String> pools;
    private final LinkedBlockingQueue<JobRecord> queue = new LinkedBlockingQueue<>();
    private final Semaphore room;
    private final int workers;
    private final Semaphore slots;
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Ends ends;
    private final Thread thread;
    private final int maxResultBytes;
    /** Slots held by started jobs (the dispatcher also holds one while it waits for a job, which is free). */
    private final AtomicInteger busy = new AtomicInteger();
    private volatile Runnable slotFreed = () -> { };
    private volatile boolean stopping;

    /**
     * @param pools the FAIR pools the session declares; a job whose name is not among them runs in the default pool
     * @param maxResultBytes the largest result (JSON, UTF-8 bytes) a job may return; 0: no limit
     */
    Dispatcher(ComponentContext context, int workers, int queueCapacity, Set<String> pools, ScheduledExecutorService timer, Clock clock,
               Ends ends, int maxResultBytes) {
        this.maxResultBytes = maxResultBytes;
        this.spark = context.spark();
        this.sc = spark.sparkContext();
        this.pools = Set.copyOf(pools);
        this.room = new Semaphore(queueCapacity);
        this.workers = workers;
        this.slots = new Semaphore(workers);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> context.newThread("worker-" + n.incrementAndGet(), r));
        this.timer = timer;
        this.clock = clock;
        this.ends = ends;
        this.thread = context.newThread("dispatcher", this::dispatch);
    }

    void start() {
        thread.start();
    }

    int workers() {
        return workers;
    }

    int queued() {
        return queue.size();
    }

    /** Worker slots that no job holds or waits for: how many jobs a replica may claim now. */
    int freeSlots() {
        return Math.max(0, workers - busy.get() - queue.size());
    }

    /** Called (on a worker thread) each time a worker slot is given back. */
    void onSlotFreed(Runnable r) {
        this.slotFreed = r;
    }

    /**
     * Reserves a place in the queue for a job about to be accepted; false when the queue is full (or the
     * dispatcher stopped taking jobs). A reservation is either {@link #enqueue used} or {@link #unreserve given back}.
     */
    boolean reserve() {
        return !stopping && room.tryAcquire();
    }

    /** Gives back a reservation that was not used (the job's save failed). */
    void unreserve() {
        room.release();
    }

    /** Queues {@code r} in the place {@link #reserve} reserved. */
    void enqueue(JobRecord r) {
        r.meters().queued().incrementAndGet();
        queue.add(r);
    }

    /** After {@code r} was ended CANCELLED while queued: frees its place in the queue. */
    void cancelledWhileQueued(JobRecord r) {
        if (queue.remove(r)) {
            room.release();
        }
        LOG.info("job {} ({}) cancelled while queued", r.id(), r.name());
    }

    /**
     * Stops a job that is {@link JobState#CANCELLING}: cancels its Spark job group and interrupts its
     * thread. Its worker slot is given back only when its code returns, so a job that ignores the
     * interrupt still counts against the worker limit.
     */
    void interrupt(JobRecord r) {
        sc.cancelJobGroup(r.id());
        r.interruptWorker();
    }

    private void dispatch() {
        while (!stopping) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            JobRecord r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                slots.release();
                return;
            }
            room.release();
            if (!r.start(now())) {
                slots.release();
                continue;
            }
            busy.incrementAndGet();
            ends.started(r);
            try {
                pool.execute(() -> run(r));
            } catch (RejectedExecutionException e) {
                if (r.fail(new JobError(e.getClass().getSimpleName(), "the service is stopping; the job could not start"), e, now())) {
                    release(r);
                    ends.ended(r);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run(JobRecord r) {
        r.worker(Thread.currentThread());
        Future<?> timeoutTask = timer.schedule(() -> timeout(r), r.timeout().toMillis(), TimeUnit.MILLISECONDS);
        r.timeoutTask(timeoutTask);
        sc.setJobGroup(r.id(), "kindling job " + r.name() + " " + r.id(), true);
        if (pools.contains(r.name())) {
            sc.setLocalProperty("spark.scheduler.pool", r.name());
        }
        try {
            Job<Object, Object> job = (Job<Object, Object>) r.definition().job();
            Object result = job.run(new RunContext(spark, r), r.params());
            JsonNode node = Json.mapper().valueToTree(result);
            JobError tooLarge = checkSize(node);
            if (tooLarge != null) {
                LOG.warn("job {} ({}) failed: {}", r.id(), r.name(), tooLarge.message());
                release(r);
                if (r.finish(JobState.FAILED, null, tooLarge, now())) {
                    ends.ended(r);
                }
            } else if (r.finish(JobState.SUCCEEDED, node, null, now())) {
                ends.ended(r);
            }
        } catch (Throwable e) {
            JobState before = r.state();
            if (before == JobState.CANCELLING || before.isFinal()) {
                LOG.debug("job {} ({}) was {}; its code then stopped with {}", r.id(), r.name(), before, e.toString());
            } else {
                LOG.warn("job {} ({}) failed: {}", r.id(), r.name(), Failures.summary(e), e);
            }
            release(r);
            if (r.fail(new JobError(e.getClass().getSimpleName(), Failures.rootMessage(e)), e, now())) {
                ends.ended(r);
            }
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
        } finally {
            r.worker(null);
            timeoutTask.cancel(false);
            sc.clearJobGroup();
            sc.setLocalProperty("spark.scheduler.pool", null);
            release(r);
            Thread.interrupted();
        }
    }

    private void timeout(JobRecord r) {
        if (r.cancelling(JobState.FAILED, new JobError(JobError.TIMEOUT, "the job ran longer than its timeout of "
                + r.timeout().toMillis() + " ms; its Spark work was cancelled"))) {
            LOG.warn("job {} ({}) timed out after {} ms; its Spark work is cancelled and its thread interrupted", r.id(), r.name(),
                    r.timeout().toMillis());
            interrupt(r);
        }
    }

    private void release(JobRecord r) {
        if (r.releaseSlotOnce() && r.snapshot().startedAt() != null) {
            busy.decrementAndGet();
            slots.release();
            slotFreed.run();
        }
    }

    /** The error of a result larger than the limit, else null. */
    private JobError checkSize(JsonNode result) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (maxResultBytes <= 0) {
            return null;
        }
        int size = Json.mapper().writeValueAsBytes(result).length;
        if (size <= maxResultBytes) {
            return null;
        }
        return new JobError(JobError.RESULT_TOO_LARGE, "the job's result is " + size + " bytes of JSON, more than "
                + "kindling.ondemand.max-result-bytes (" + maxResultBytes + ") allows: results are kept in the job store for every "
                + "replica to serve. Return less (write large outputs to a sink) or raise the setting");
    }

    /** Stops taking jobs: the dispatcher ends and the jobs still queued are handed back, oldest first. */
    List<JobRecord> stopTaking() {
        stopping = true;
        thread.interrupt();
        List<JobRecord> queued = new ArrayList<>();
        queue.drainTo(queued);
        room.release(queued.size());
        return queued;
    }

    /**
     * Gives the running jobs until {@code deadline} to end; those still running are then stopped
     * ({@code interrupted by shutdown}: Spark work cancelled, thread interrupted) and get {@code grace}
     * more to return. A job whose code still has not returned is ended FAILED and its thread abandoned.
     */
    void awaitRunning(Collection<JobRecord> running, Deadline deadline, Deadline grace) {
        List<JobRecord> late = new ArrayList<>();
        for (JobRecord r : running) {
            if (!awaitDone(r, deadline)) {
                late.add(r);
                if (r.cancelling(JobState.FAILED, new JobError(JobError.INTERRUPTED_BY_SHUTDOWN,
                        "the service stopped while the job ran (the shutdown deadline of " + deadline.total() + " passed)"))) {
                    interrupt(r);
                }
            }
        }
        for (JobRecord r : late) {
            if (!awaitDone(r, grace) && r.abandon(now())) {
                LOG.warn("job {} ({}) did not return after its interrupt; its thread is abandoned", r.id(), r.name());
                ends.ended(r);
            }
        }
    }

    private static boolean awaitDone(JobRecord r, Deadline deadline) {
        try {
            r.done().get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException | CancellationException e) {
            return true;
        }
    }

    /** Stops the worker threads (interrupting job code that still runs). */
    void close() {
        pool.shutdownNow();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
