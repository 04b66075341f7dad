package dev.kindling.ondemand.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ondemand.JobStore;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Health;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
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
     * Saves {@code r} as a submission must be saved before it is acknowledged.
     *
     * @throws KindlingException when the store failed (counted and shown in readiness)
     */
    void saveOrThrow(JobRecord r) {
        if (store == null || r.isWarmUp()) {
            return;
        }
        try {
            store.save(r.stored());
            succeeded(r);
        } catch (KindlingException e) {
            failed(r, e, false, true);
            throw e;
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
            failed(r, e, true, count);
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

    private void failed(JobRecord r, RuntimeException e, boolean retry, boolean count) {
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
        if (count) {
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
