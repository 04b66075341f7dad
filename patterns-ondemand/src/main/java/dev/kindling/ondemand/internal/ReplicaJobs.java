package dev.kindling.ondemand.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore.StoredJob;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's part for a job store that replicas share (the PostgreSQL store, one replica or several):
 * a job is accepted into the store's queue, claimed by whichever replica has a free worker, run under a
 * lease, and read, followed and cancelled from any replica through the store. See {@link ReplicaLoop} for
 * the claim loop and {@link ReplicaQueue} for the statements.
 *
 * <p><b>Memory.</b> A replica holds the records of the jobs it accepted (until they end), runs or was asked
 * to follow (an event stream, a cancel): those it runs are its own, the others mirror the store and are
 * refreshed each turn of the loop. Any other job is read from the store when asked for.
 *
 * <p>Thread-safe: called from HTTP, worker and the loop's threads.
 */
final class ReplicaJobs implements ReplicaLoop.Engine {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaJobs.class);

    private final ReplicaQueue queue;
    private final EngineConfig config;
    private final Map<String, JobDefinition<?, ?>> definitions;
    private final Map<String, JobMeters> meters;
    private final JobRecords records;
    private final Dispatcher dispatcher;
    private final StoreWriter store;
    private final Dispatcher.Ends ends;
    private final LongSupplier seq;
    private final Clock clock;
    private final ReplicaLoop loop;

    ReplicaJobs(ComponentContext context, ReplicaQueue queue, EngineConfig config, Map<String, JobDefinition<?, ?>> definitions,
                Map<String, JobMeters> meters, JobRecords records, Dispatcher dispatcher, StoreWriter store, Dispatcher.Ends ends,
                LongSupplier seq, Clock clock) {
        this.queue = queue;
        this.config = config;
        this.definitions = definitions;
        this.meters = meters;
        this.records = records;
        this.dispatcher = dispatcher;
        this.store = store;
        this.ends = ends;
        this.seq = seq;
        this.clock = clock;
        this.loop = new ReplicaLoop(context, queue, config.replicas(), definitions.keySet(), this, clock);
    }

    void start() {
        loop.start();
    }

    String replicaId() {
        return config.replicas().id();
    }

    int queuedEstimate() {
        return loop.queuedEstimate();
    }

    /** Wakes the loop: a worker is free. */
    void slotFreed() {
        loop.wake();
    }

    /**
     * Accepts {@code r} into the shared queue: 429 (thrown) when the jobs queued across all replicas fill the
     * queue, else saved as QUEUED, batched with other submissions; the future completes once the store has
     * committed it, or fails with a 503 problem when the store could not save it.
     */
    CompletableFuture<JobRecord> accept(JobRecord r) {
        if (loop.queuedEstimate() >= config.queueCapacity()) {
            r.meters().rejected();
            long seconds = config.retryAfterSeconds();
            throw new ProblemException(Problem.of(429, "Too Many Requests", "the job queue is full (" + config.queueCapacity()
                    + " jobs waiting across all replicas); retry after " + seconds + " s").with("retryAfterSeconds", seconds));
        }
        return store.submitted(r).handle((saved, failure) -> {
            if (failure != null) {
                throw StoreWriter.notSaved(failure);
            }
            loop.accepted();
            records.add(r);
            loop.follow(r);
            loop.wake();
            return r;
        });
    }

    /** The job's status: this replica's record, else the store's row; a 404 problem when neither has it. */
    JobStatus status(String id) {
        Optional<JobRecord> local = records.find(id);
        if (local.isPresent()) {
            return local.get().snapshot();
        }
        return queue.load(id).map(StoredJob::status).orElseThrow(() -> notFound(id));
    }

    /** A record of the job kept up to date until it ends (for an event stream or a wait); 404 when unknown. */
    JobRecord followed(String id) {
        Optional<JobRecord> local = records.find(id);
        if (local.isPresent()) {
            return local.get();
        }
        StoredJob row = queue.load(id).orElseThrow(() -> notFound(id));
        JobRecord r = JobRecord.restored(row, seq.getAsLong());
        if (r.state().isFinal()) {
            records.finished(r, now());
        } else {
            records.add(r);
            loop.follow(r);
        }
        return r;
    }

    /**
     * Cancels a job this replica does not run: through the store (a queued job ends CANCELLED at once, a
     * running one gets a cancel request its replica reads within a poll interval), then waits up to
     * {@code kindling.ondemand.cancel-wait} for its end. Null when this replica runs it (the caller cancels it here).
     */
    JobRecord cancel(String id) {
        JobRecord local = records.find(id).orElse(null);
        if (local != null && local.attempt() > 0) {
            return null;
        }
        ReplicaQueue.Cancel c = queue.requestCancel(id, now()).orElseThrow(() -> notFound(id));
        JobStatus s = c.job().status();
        if (!c.requested()) {
            throw new ProblemException(Problem.of(409, "Conflict", "job '" + id + "' has already ended: " + s.state())
                    .with("state", s.state().name()));
        }
        JobRecord r = local != null ? local : JobRecord.restored(c.job(), seq.getAsLong());
        if (r.mirror(s)) {
            records.finished(r, now());
            JobMeters m = meters.get(s.name());
            if (m != null) {
                m.finished(s.state(), null);
            }
            LOG.info("job {} ({}) cancelled while queued", id, s.name());
            return r;
        }
        records.add(r);
        loop.follow(r);
        loop.wake();
        try {
            r.done().get(config.cancelWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still CANCELLING: its code has not returned yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return r;
    }

    /** A page of jobs from the store, newest first; jobs this replica runs are shown as it knows them now. */
    JobRecords.Page list(JobState state, String name, int limit, int offset) {
        ReplicaQueue.Page page = queue.list(state, name, limit, offset);
        List<JobStatus> out = new ArrayList<>();
        for (StoredJob row : page.jobs()) {
            out.add(records.find(row.status().id()).filter(r -> r.attempt() > 0).map(JobRecord::snapshot).orElse(row.status()));
        }
        return new JobRecords.Page(out, page.total());
    }

    /** Stops claiming and puts the claimed jobs that have not started back in the queue. */
    void stopClaiming(List<JobRecord> unstarted) {
        loop.stopClaiming();
        for (JobRecord r : unstarted) {
            try {
                if (queue.giveBack(r.id(), replicaId(), r.attempt())) {
                    LOG.info("job {} ({}) was claimed but not started; it is queued again for another replica", r.id(), r.name());
                }
            } catch (RuntimeException e) {
                LOG.warn("job {} ({}) could not be queued again ({}); its lease runs out and it is requeued then", r.id(), r.name(),
                        Failures.summary(e));
            }
            records.remove(r);
        }
    }

    /** Stops the loop (after the running jobs have ended and been saved). */
    void stop() throws InterruptedException {
        loop.stop();
    }

    @Override
    public int freeSlots() {
        return dispatcher.freeSlots();
    }

    @Override
    public Collection<JobRecord> held() {
        Set<JobRecord> held = new LinkedHashSet<>();
        for (JobRecord r : records.all()) {
            if (r.attempt() > 0 && !r.state().isFinal()) {
                held.add(r);
            }
        }
        store.pendingRecords().stream().filter(r -> r.attempt() > 0).forEach(held::add);
        return held;
    }

    @Override
    public void run(ReplicaQueue.Claimed c) {
        JobStatus s = c.job().status();
        JobDefinition<?, ?> def = definitions.get(s.name());
        JobMeters m = meters.get(s.name());
        JobRecord r = records.find(s.id()).filter(x -> !x.state().isFinal()).orElseGet(() -> new JobRecord(new JobRecord.Origin(s.id(),
                s.name(), seq.getAsLong(), s.trigger(), s.submittedAt()), def, null, c.job().paramsJson(),
                java.time.Duration.ofMillis(c.job().timeoutMillis()), m));
        Object params;
        try {
            params = ParamsBinder.bind(def, ParamsBinder.readStored(c.job().paramsJson()));
        } catch (ProblemException e) {
            r.claimed(c.attempt(), s.attempts(), def, null, m);
            records.add(r);
            m.queued().incrementAndGet();
            if (r.fail(new JobError("invalid params", e.problem().detail()), null, now())) {
                ends.ended(r);
            }
            return;
        }
        if (!r.claimed(c.attempt(), s.attempts(), def, params, m)) {
            return; // cannot happen: a record ends only after its store row did, and the row was just QUEUED
        }
        records.add(r);
        if (dispatcher.reserve()) {
            dispatcher.enqueue(r);
        } else {
            stopClaiming(List.of(r));
        }
    }

    @Override
    public void cancelRequested(JobRecord r) {
        if (r.finishIfQueued(JobState.CANCELLED, now())) {
            dispatcher.cancelledWhileQueued(r);
            ends.ended(r);
        } else if (r.cancelling(JobState.CANCELLED, null)) {
            LOG.info("job {} ({}) cancelled through the job store; its Spark job group is cancelled and its thread interrupted",
                    r.id(), r.name());
            dispatcher.interrupt(r);
        }
    }

    @Override
    public void leaseLost(JobRecord r) {
        if (r.cancelling(JobState.FAILED, new JobError(JobError.REPLICA_LOST, "replica " + replicaId() + " lost its lease on the job "
                + "(the job store was out of reach longer than kindling.ondemand.lease); the job store's record of it holds"))) {
            dispatcher.interrupt(r);
        }
        LOG.warn("job {} ({}): replica {} lost its lease; another replica requeued or failed it", r.id(), r.name(), replicaId());
        store.forget(r);
        records.remove(r);
    }

    @Override
    public void mirrorEnded(JobRecord r) {
        records.finished(r, now());
    }

    @Override
    public void storeFailed(RuntimeException e) {
        store.loopFailed(e);
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(Problem.of(404, "Not Found", "no job has the id '" + id + "'"));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
