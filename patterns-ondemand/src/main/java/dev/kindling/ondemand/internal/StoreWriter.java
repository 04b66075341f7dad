package dev.kindling.ondemand.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ondemand.JobStore;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Health;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes job records through to the optional durable {@link JobStore} and keeps its health. A save
 * that fails is not swallowed: the job's status carries it ({@code storeError}), the job's
 * {@code store.failures} counter counts it, the component's last error and readiness show it, and the
 * record is saved again (with backoff) until the store takes it; with nothing left to save, a
 * {@link JobStore#ping()} tells when the store is back. The counter counts state changes that could not
 * be saved, not the retries. Thread-safe.
 */
final class StoreWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

    private final JobStore store;
    private final ComponentContext context;
    private final Backoff backoff;
    private final Clock clock;
    private final Set<JobRecord> pending = ConcurrentHashMap.newKeySet();
    private String lastFailure;
    private int failuresInARow;
    private Instant nextTry = Instant.MIN;

    private final ReplicaQueue queue;
    private final String owner;

    /** The most submissions one transaction saves. */
    private static final int MAX_BATCH = 256;
    private final ArrayDeque<Submission> submissions = new ArrayDeque<>();
    private Thread writer;
    private boolean closed;

    /**
     * @param store null: no durable store (every call does nothing)
     * @param queue the shared queue of the store, or null: the end of a job this replica claimed is saved
     *              through it, only while this replica still holds the job's lease
     */
    StoreWriter(JobStore store, ReplicaQueue queue, String owner, ComponentContext context, Backoff backoff, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.owner = owner;
        this.context = context;
        this.backoff = backoff;
        this.clock = clock;
    }

    boolean enabled() {
        return store != null;
    }

    JobStore store() {
        return store;
    }

    /**
     * Saves a submission, as it must be saved before it is acknowledged, without blocking the caller: the
     * submissions that arrive while one batch is written go in the next, one {@link JobStore#saveAll}
     * (one transaction for the PostgreSQL store). The future completes when the store has committed
     * {@code r}, or fails with the store's {@link KindlingException} (counted and shown in readiness),
     * in which case no job of that batch is saved. Done at once without a store or for a warm-up run.
     */
    CompletableFuture<Void> submitted(JobRecord r) {
        if (store == null || r.isWarmUp()) {
            return CompletableFuture.completedFuture(null);
        }
        Submission s = new Submission(r, new CompletableFuture<>());
        synchronized (submissions) {
            if (writer == null) {
                writer = context.newThread("store-writer", this::writeSubmissions);
                writer.start();
            }
            submissions.add(s);
            submissions.notifyAll();
        }
        return s.saved();
    }

    /** The 503 problem of a submission the store could not save: the job is not accepted. */
    static ProblemException notSaved(Throwable failure) {
        return new ProblemException(Problem.of(503, "Service Unavailable", "the job store could not save the job, so it "
                + "was not accepted: " + Failures.summary(failure)));
    }

    /** A submission waiting for its batch. */
    private record Submission(JobRecord record, CompletableFuture<Void> saved) {
    }

    /** The writer thread: takes every waiting submission (up to {@link #MAX_BATCH}) and saves them together. */
    private void writeSubmissions() {
        List<Submission> batch = new ArrayList<>();
        while (true) {
            synchronized (submissions) {
                while (submissions.isEmpty() && !closed) {
                    try {
                        submissions.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    KindlingException stopped = new KindlingException("the service is stopping; the job was not saved");
                    submissions.forEach(s -> s.saved().completeExceptionally(stopped));
                    submissions.clear();
                    return;
                }
                while (!submissions.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(submissions.poll());
                }
            }
            List<JobRecord> records = batch.stream().map(Submission::record).toList();
            try {
                store.saveAll(records.stream().map(JobRecord::stored).toList());
                records.forEach(this::succeeded);
                batch.forEach(s -> s.saved().complete(null));
            } catch (RuntimeException e) {
                for (int i = 0; i < records.size(); i++) {
                    failed(records.get(i), e, false, true, i == 0);
                }
                batch.forEach(s -> s.saved().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    /** Stops the writer of submissions; one still waiting fails. */
    void close() {
        synchronized (submissions) {
            closed = true;
            submissions.notifyAll();
        }
    }

    /** Saves {@code r}'s new state; a failure is counted, recorded on the job (its {@code storeError}) and retried later. */
    void save(JobRecord r) {
        save(r, true);
    }

    private void save(JobRecord r, boolean count) {
        if (store == null || r.isWarmUp()) {
            return;
        }
        try {
            int attempt = r.attempt();
            if (queue != null && attempt > 0) {
                if (!queue.finish(r.stored(), owner, attempt)) {
                    LOG.warn("job {} ({}) ended {} here, but replica {} no longer held its lease: the job store's record of it holds",
                            r.id(), r.name(), r.state(), owner);
                }
            } else {
                store.save(r.stored());
            }
            succeeded(r);
        } catch (RuntimeException e) {
            failed(r, e, true, count, count);
        }
    }

    private void succeeded(JobRecord r) {
        if (r.storeError() != null) {
            r.storeError(null);
        }
        pending.remove(r);
        synchronized (this) {
            if (lastFailure != null && pending.isEmpty()) {
                recovered();
            }
        }
    }

    private void failed(JobRecord r, RuntimeException e, boolean retry, boolean count, boolean log) {
        String message = Failures.summary(e);
        if (retry) {
            r.storeError(message);
            pending.add(r);
        }
        JobMeters m = r.meters();
        if (m != null && count) {
            m.storeFailed();
        }
        synchronized (this) {
            lastFailure = message;
            failuresInARow++;
            nextTry = clock.instant().plus(backoff.delay(failuresInARow));
        }
        context.reportError(e);
        if (log) {
            LOG.warn("job store failed to save job {} ({}) as {}{}: {}", r.id(), r.name(), r.state(),
                    retry ? "; its status says so and the save is tried again" : "; the submission was refused", message);
        }
    }

    private void recovered() {
        LOG.info("job store answers again after {} failure(s)", failuresInARow);
        lastFailure = null;
        failuresInARow = 0;
        context.clearError();
    }

    /** Tries the pending saves again (or pings) once the backoff since the last failure has passed; for the timer. */
    void retry() {
        synchronized (this) {
            if (store == null || lastFailure == null || clock.instant().isBefore(nextTry)) {
                return;
            }
        }
        if (pending.isEmpty()) {
            try {
                store.ping();
                synchronized (this) {
                    recovered();
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    lastFailure = Failures.summary(e);
                    failuresInARow++;
                    nextTry = clock.instant().plus(backoff.delay(failuresInARow));
                }
            }
            return;
        }
        for (JobRecord r : Set.copyOf(pending)) {
            save(r, false); // a retry: the state change was counted when its first save failed
        }
    }

    /**
     * Pings a store that is thought healthy, so that an outage turns readiness down before a save
     * fails on it; for the timer ({@code kindling.ondemand.store.probe-interval}). A store already
     * known to fail is looked after by {@link #retry}.
     */
    void probe() {
        synchronized (this) {
            if (store == null || lastFailure != null) {
                return;
            }
        }
        try {
            store.ping();
        } catch (RuntimeException e) {
            String message = Failures.summary(e);
            synchronized (this) {
                lastFailure = message;
                failuresInARow++;
                nextTry = clock.instant().plus(backoff.delay(failuresInARow));
            }
            context.reportError(e);
            LOG.warn("job store does not answer its probe: {}", message);
        }
    }

    /** Readiness: down while the last store call failed and not everything is saved again. */
    synchronized Health health() {
        if (lastFailure == null) {
            return Health.up();
        }
        return Health.down("job store failing: " + lastFailure + (pending.isEmpty() ? "" : "; " + pending.size()
                + " job state(s) not saved yet"));
    }

    int pending() {
        return pending.size();
    }

    /** The records whose latest state the store does not hold yet. */
    Set<JobRecord> pendingRecords() {
        return Set.copyOf(pending);
    }

    /** Stops saving {@code r} (the store's record of it is the one that holds). */
    void forget(JobRecord r) {
        pending.remove(r);
    }

    /** A call of the replica loop failed: shown as the probe's failure is (readiness down until the store answers). */
    void loopFailed(RuntimeException e) {
        String message = Failures.summary(e);
        boolean first;
        synchronized (this) {
            first = lastFailure == null;
            lastFailure = message;
            failuresInARow++;
            nextTry = clock.instant().plus(backoff.delay(failuresInARow));
        }
        context.reportError(e);
        if (first) {
            LOG.warn("job store failed in the replica loop (claims, leases, follows): {}", message);
        }
    }
}
