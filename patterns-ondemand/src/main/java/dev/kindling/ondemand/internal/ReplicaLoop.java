package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobStore.StoredJob;
import dev.kindling.service.ComponentContext;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's side of the shared job queue ({@link ReplicaQueue}), on one component thread
 * ({@code replica}). Each turn, every {@link EngineConfig.Replicas#heartbeat()} or at once when woken (a job
 * accepted here, a worker freed): renews the leases of the jobs this replica holds, saving their progress and
 * reading their cancel requests; ends the leases that ran out (of any replica); counts the queued jobs (for
 * admission); claims as many jobs as it has free workers; and refreshes the records it follows for its
 * clients (jobs other replicas run). A turn stops at the first store failure, which the store's health
 * shows; the next turn tries again.
 *
 * <p>Renewal comes before the sweep, so a replica never requeues a job it still runs itself.
 */
final class ReplicaLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLoop.class);

    /** What the loop needs from the engine. */
    interface Engine {
        /** Worker slots free for claimed jobs now. */
        int freeSlots();

        /** The jobs this replica holds a lease on: claimed and not yet saved as ended. */
        Collection<JobRecord> held();

        /** Runs a job this replica has just claimed. */
        void run(ReplicaQueue.Claimed claimed);

        /** A cancel was requested (on any replica) for a job this replica runs. */
        void cancelRequested(JobRecord r);

        /** This replica no longer holds the lease of {@code r}: another replica requeued or failed it. */
        void leaseLost(JobRecord r);

        /** A mirrored record reached its end. */
        void mirrorEnded(JobRecord r);

        /** A store call of the loop failed. */
        void storeFailed(RuntimeException e);
    }

    private final ReplicaQueue queue;
    private final EngineConfig.Replicas config;
    private final Set<String> names;
    private final Engine engine;
    private final Clock clock;
    private final Thread thread;
    private final Semaphore wake = new Semaphore(0);
    private final Set<JobRecord> followed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger acceptedSinceCount = new AtomicInteger();
    private volatile int storeQueued;
    private volatile boolean claiming = true;
    private volatile boolean stopped;

    ReplicaLoop(ComponentContext context, ReplicaQueue queue, EngineConfig.Replicas config, Set<String> names, Engine engine,
                Clock clock) {
        this.queue = queue;
        this.config = config;
        this.names = Set.copyOf(names);
        this.engine = engine;
        this.clock = clock;
        this.thread = context.newThread("replica", this::loop);
    }

    void start() {
        thread.start();
    }

    /** Asks for a turn now (a job was accepted here, a worker freed). */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /** Jobs queued across all replicas, as last counted plus those accepted here since. */
    int queuedEstimate() {
        return storeQueued + acceptedSinceCount.get();
    }

    void accepted() {
        acceptedSinceCount.incrementAndGet();
    }

    /** Keeps {@code r} up to date from the store until it ends or this replica claims it. */
    void follow(JobRecord r) {
        followed.add(r);
    }

    /** Stops claiming; leases are still renewed until {@link #stop}. */
    void stopClaiming() {
        claiming = false;
    }

    void stop() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(10_000);
    }

    private void loop() {
        long period = Math.max(10, config.heartbeat().toMillis());
        while (!stopped) {
            try {
                turn();
            } catch (RuntimeException e) {
                engine.storeFailed(e);
            }
            try {
                wake.tryAcquire(period, TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
            }
        }
    }

    /** One turn; see the class javadoc. */
    void turn() {
        heartbeat();
        for (ReplicaQueue.Expired x : queue.expire(config.maxAttempts())) {
            LOG.warn("job {} ({}): the lease of its replica ran out; now {} after {} attempt(s)", x.id(), x.name(), x.state(),
                    x.attempts());
        }
        int counted = queue.countQueued();
        acceptedSinceCount.set(0);
        storeQueued = counted;
        int free = claiming ? engine.freeSlots() : 0;
        if (free > 0 && counted > 0) {
            for (ReplicaQueue.Claimed c : queue.claim(config.id(), free, names, now(), config.lease())) {
                engine.run(c);
            }
        }
        refreshFollowed();
    }

    private void heartbeat() {
        List<ReplicaQueue.Held> held = new ArrayList<>();
        List<JobRecord> records = new ArrayList<>();
        for (JobRecord r : engine.held()) {
            int attempt = r.attempt();
            if (attempt > 0) {
                records.add(r);
                held.add(new ReplicaQueue.Held(r.id(), attempt, StoredJson.progress(r.snapshot().progress())));
            }
        }
        Map<String, Boolean> renewed = queue.heartbeat(config.id(), held, config.lease());
        for (JobRecord r : records) {
            Boolean cancel = renewed.get(r.id());
            if (cancel == null) {
                engine.leaseLost(r);
            } else if (cancel) {
                engine.cancelRequested(r);
            }
        }
    }

    private void refreshFollowed() {
        followed.removeIf(r -> r.attempt() > 0 || r.state().isFinal());
        if (followed.isEmpty()) {
            return;
        }
        Map<String, JobRecord> byId = new ConcurrentHashMap<>();
        followed.forEach(r -> byId.put(r.id(), r));
        List<StoredJob> rows = queue.load(byId.keySet());
        Set<String> seen = new java.util.HashSet<>();
        for (StoredJob row : rows) {
            JobRecord r = byId.get(row.status().id());
            seen.add(r.id());
            if (r.mirror(row.status())) {
                followed.remove(r);
                engine.mirrorEnded(r);
            }
        }
        byId.values().stream().filter(r -> !seen.contains(r.id()) && !r.isWarmUp()).forEach(followed::remove);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
