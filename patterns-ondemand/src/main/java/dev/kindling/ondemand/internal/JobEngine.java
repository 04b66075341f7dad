package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import dev.kindling.service.Health;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of the on-demand pattern: accepts, cancels and finds jobs, and ties together the
 * dispatch ({@link Dispatcher}), the records' retention ({@link JobRecords}), the durable store
 * ({@link StoreWriter}, {@link StoreRecovery}), progress ({@link ProgressPoller}) and the meters
 * ({@link JobMeters}).
 *
 * <p><b>Threads.</b> Made and started by the component's {@code start}; {@link #stop} on the service's
 * stop thread; everything else on HTTP, worker, scheduler and timer threads, concurrently. One timer
 * thread (a component thread) fires timeouts, polls progress and retries failed store saves.
 */
public final class JobEngine implements Dispatcher.Ends, StoreRecovery.Target {
    private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);

    private final ComponentContext context;
    private final Map<String, JobDefinition<?, ?>> definitions;
    private final EngineConfig config;
    private final Clock clock;
    private final Map<String, JobMeters> meters = new LinkedHashMap<>();
    private final JobRecords records;
    private final StoreWriter store;
    private final ScheduledExecutorService timer;
    private final Dispatcher dispatcher;
    private final AtomicLong seq = new AtomicLong();
    private final ReplicaJobs replicas;
    private volatile boolean stopping;

    /**
     * @param store null: records in memory only
     * @param pools the FAIR pools the session declares
     */
    public JobEngine(ComponentContext context, Map<String, JobDefinition<?, ?>> definitions, EngineConfig config, JobStore store,
                     Set<String> pools, Clock clock) {
        this.context = context;
        this.definitions = Map.copyOf(definitions);
        this.config = config;
        this.clock = clock;
        definitions.keySet().forEach(name -> meters.put(name, new JobMeters(context.meters(), name)));
        context.meters().gauge("workers", "worker slots: jobs that may run at once", config, EngineConfig::workers);
        this.records = new JobRecords(config.maxRecords(), config.maxRecordAge());
        ReplicaQueue queue = store instanceof PostgresJobStore postgres ? postgres.replicaQueue() : null;
        this.store = new StoreWriter(store, queue, config.replicas().id(), context, config.backoff(), clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> context.newThread("timer", r));
        // with a shared queue the store bounds the queue; the dispatcher's own queue only hands claimed jobs to workers
        this.dispatcher = new Dispatcher(context, config.workers(), queue != null ? Integer.MAX_VALUE : config.queueCapacity(), pools,
                timer, clock, this, store != null ? config.replicas().maxResultBytes() : 0);
        this.replicas = queue == null ? null : new ReplicaJobs(context, queue, config, this.definitions, meters, records, dispatcher,
                this.store, this, seq::incrementAndGet, clock);
        if (replicas != null) {
            dispatcher.onSlotFreed(replicas::slotFreed);
        }
    }

    /** Recovers what the store holds, then starts the dispatcher, the progress poller and the store's retries. */
    public void start() {
        if (store.enabled() && replicas == null) {
            new StoreRecovery(store.store(), definitions, this, clock).recover(config.maxRecords());
        }
        dispatcher.start();
        if (replicas != null) {
            replicas.start();
        }
        long every = Math.max(10, config.progressInterval().toMillis());
        ProgressPoller poller = new ProgressPoller(context.spark().sparkContext(), records::all);
        timer.scheduleWithFixedDelay(guarded("reading job progress from Spark's status tracker", poller), every, every,
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(guarded("retrying job store saves", store::retry), every, every, TimeUnit.MILLISECONDS);
        if (store.enabled()) {
            long probe = Math.max(10, config.storeProbeInterval().toMillis());
            timer.scheduleWithFixedDelay(guarded("probing the job store", store::probe), probe, probe, TimeUnit.MILLISECONDS);
            long prune = Math.max(1_000, Math.min(3_600_000, config.retention().toMillis() / 24));
            timer.scheduleWithFixedDelay(guarded("deleting old jobs from the job store", this::prune), 0, prune, TimeUnit.MILLISECONDS);
        }
    }

    /** Deletes the jobs that ended more than {@code kindling.ondemand.retention} ago from the durable store. */
    void prune() {
        int deleted = store.store().prune(now().minus(config.retention()));
        if (deleted > 0) {
            LOG.info("deleted {} job(s) that ended more than {} ago from the job store", deleted, config.retention());
        }
    }

    /** The component's timer, for other periodic work (schedules). */
    public ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * {@code body} for the timer: a RuntimeException is logged and shown as the component's last error
     * (the next run tries again); an Error moves the component to FAILED.
     */
    public Runnable guarded(String what, Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed; trying again", what, e);
                context.reportError(e);
            } catch (Error e) {
                context.fail(e);
                throw e;
            }
        };
    }

    public EngineConfig config() {
        return config;
    }

    /** Whether the service is shutting down (HTTP draining) or the engine stopping: waits should end. */
    public boolean shuttingDown() {
        return stopping || context.shuttingDown();
    }

    /** The registered job definition, or a 404 problem. */
    public JobDefinition<?, ?> definition(String name) {
        JobDefinition<?, ?> def = definitions.get(name);
        if (def == null) {
            throw new ProblemException(Problem.of(404, "Not Found", "no job is named '" + name + "'; jobs: "
                    + definitions.keySet().stream().sorted().toList()));
        }
        return def;
    }

    /** {@link #submitAsync}, waiting for the store's commit: for callers that wait for the job anyway. */
    public JobRecord submit(String name, JsonNode rawParams, Duration timeout, String trigger) {
        try {
            return submitAsync(name, rawParams, timeout, trigger).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /**
     * Accepts a job: binds and validates the params (400) and reserves a place in the queue (429), throwing on the caller's
     * thread; the store's save of it as QUEUED is batched off that thread, and it is queued once committed. The future
     * fails with a 503 problem when the store could not save it (not accepted); without a store it is done at once.
     *
     * @param timeout null for the job's or the service's default
     * @param trigger what submits it ({@link JobStatus#HTTP}, ...)
     */
    public CompletableFuture<JobRecord> submitAsync(String name, JsonNode rawParams, Duration timeout, String trigger) {
        if (stopping || context.shuttingDown()) {
            throw new ProblemException(Problem.of(503, "Service Unavailable", "the service is shutting down; no new jobs"));
        }
        JobDefinition<?, ?> def = definition(name);
        Object params = ParamsBinder.bind(def, rawParams);
        Duration t = timeout != null ? timeout : def.timeout() != null ? def.timeout() : config.defaultTimeout();
        t = t.compareTo(config.maxTimeout()) > 0 ? config.maxTimeout() : t;
        boolean warmUp = JobStatus.WARM_UP.equals(trigger);
        if (replicas != null && !warmUp) {
            JobRecord r = record(name, def, params, t, trigger);
            return replicas.accept(r).thenApply(accepted -> {
                r.meters().submitted();
                records.evict(now());
                return r;
            });
        }
        if (!dispatcher.reserve()) { // before the record is made: a 429 stays cheap when the queue is full
            if (!warmUp) {
                meters.get(name).rejected();
            }
            long seconds = config.retryAfterSeconds();
            throw new ProblemException(Problem.of(429, "Too Many Requests", "the job queue is full (" + config.queueCapacity()
                    + " jobs waiting); retry after " + seconds + " s").with("retryAfterSeconds", seconds));
        }
        JobRecord r = record(name, def, params, t, trigger);
        return store.submitted(r).handle((saved, failure) -> {
            if (failure != null) {
                dispatcher.unreserve();
                throw StoreWriter.notSaved(failure);
            }
            records.add(r);
            dispatcher.enqueue(r);
            if (!r.isWarmUp()) {
                r.meters().submitted();
            }
            records.evict(now());
            return r;
        });
    }

    private JobRecord record(String name, JobDefinition<?, ?> def, Object params, Duration timeout, String trigger) {
        return new JobRecord(new JobRecord.Origin(UUID.randomUUID().toString(), name, seq.incrementAndGet(), trigger, now()),
                def, params, ParamsBinder.toJson(params), timeout, meters.get(name));
    }

    /** The job's status, from memory or (with a shared store) from the store; a 404 problem when unknown. */
    public JobStatus status(String id) {
        return replicas != null ? replicas.status(id) : records.get(id).snapshot();
    }

    /**
     * The job's record, kept up to date until it ends (with a shared store, a job another replica runs is
     * followed through the store); a 404 problem when there is no such job.
     */
    public JobRecord get(String id) {
        return replicas != null ? replicas.followed(id) : records.get(id);
    }

    /** Whether a read of a job may go to the store (the request should not wait on the request thread). */
    public boolean readsStore() {
        return replicas != null;
    }

    /** A page of jobs, newest first, filtered by state and name (either may be null). */
    public JobRecords.Page list(JobState state, String name, int limit, int offset) {
        if (replicas != null) {
            return replicas.list(state, name, limit, offset);
        }
        List<JobRecord> all = records.list(state, name);
        return new JobRecords.Page(all.stream().skip(offset).limit(limit).map(JobRecord::snapshot).toList(), all.size());
    }

    /**
     * Cancels: a queued job ends CANCELLED at once; a running one becomes CANCELLING (its Spark job group
     * cancelled, its thread interrupted) and CANCELLED when its code returns, which this waits for up to
     * {@code kindling.ondemand.cancel-wait}. 404 unknown, 409 already ended.
     */
    public JobRecord cancel(String id) {
        if (replicas != null) {
            JobRecord elsewhere = replicas.cancel(id);
            if (elsewhere != null) {
                return elsewhere;
            }
        }
        JobRecord r = records.get(id);
        if (r.finishIfQueued(JobState.CANCELLED, now())) {
            dispatcher.cancelledWhileQueued(r);
            ended(r);
            return r;
        }
        if (r.cancelling(JobState.CANCELLED, null)) {
            LOG.info("job {} ({}) cancelled while running; its Spark job group is cancelled and its thread interrupted", r.id(), r.name());
            dispatcher.interrupt(r);
        } else if (r.state() != JobState.CANCELLING) {
            throw new ProblemException(Problem.of(409, "Conflict", "job '" + id + "' has already ended: " + r.state())
                    .with("state", r.state().name()));
        }
        try {
            r.done().get(config.cancelWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // still CANCELLING: its code has not returned yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return r;
    }

    @Override
    public void started(JobRecord r) {
        if (r.attempt() == 0) {
            store.save(r); // a claimed job was saved RUNNING by its claim
        }
    }

    @Override
    public void ended(JobRecord r) {
        store.save(r);
        JobStatus s = r.snapshot();
        if (!r.isWarmUp() && r.meters() != null) {
            r.meters().finished(s.state(), s.startedAt() == null ? null : Duration.between(s.startedAt(), s.finishedAt()));
        }
        records.finished(r, now());
        r.completeDone();
    }

    @Override
    public long nextSeq() {
        return seq.incrementAndGet();
    }

    @Override
    public JobMeters meters(String job) {
        return meters.get(job);
    }

    @Override
    public boolean requeue(JobRecord r) {
        if (!dispatcher.reserve()) {
            return false;
        }
        records.add(r);
        dispatcher.enqueue(r);
        return true;
    }

    @Override
    public void keepFinished(JobRecord r) {
        records.finished(r, now());
    }

    /** Readiness of the durable store: down while saves fail. */
    public Health storeHealth() {
        return store.health();
    }

    /** Job states the store is behind on. */
    public int pendingSaves() {
        return store.pending();
    }

    public int workers() {
        return dispatcher.workers();
    }

    public int queued() {
        return replicas != null ? replicas.queuedEstimate() : dispatcher.queued();
    }

    /** This replica's id in the shared store, or null without one. */
    public String replicaId() {
        return replicas == null ? null : replicas.replicaId();
    }

    public int running() {
        return meters.values().stream().mapToInt(m -> m.running().get()).sum();
    }

    /**
     * Stops taking jobs. Queued jobs stay QUEUED in the durable store (they run after the restart);
     * without a store (and warm-up runs always) they end FAILED ({@code interrupted by shutdown}). Running jobs get until shortly
     * before {@code deadline} to finish (the rest is kept for saving their end), then end FAILED
     * ({@code interrupted by shutdown}) and their Spark work is cancelled.
     */
    public void stop(Deadline deadline) {
        stopping = true;
        List<JobRecord> queued = dispatcher.stopTaking();
        if (replicas != null) {
            replicas.stopClaiming(queued.stream().filter(r -> r.attempt() > 0).toList());
            queued = queued.stream().filter(r -> r.attempt() == 0).toList();
        }
        int kept = 0;
        for (JobRecord r : queued) {
            if (store.enabled() && !r.isWarmUp()) {
                kept++;
            } else if (r.finish(JobState.FAILED, null, new JobError(JobError.INTERRUPTED_BY_SHUTDOWN,
                    "the service stopped before the job started"), now())) {
                ended(r);
            }
        }
        if (kept > 0) {
            LOG.info("{} queued job(s) stay QUEUED in the job store and run after the restart", kept);
        }
        Duration left = deadline.remaining();
        Duration reserve = left.dividedBy(5).compareTo(Duration.ofSeconds(1)) < 0 ? left.dividedBy(5) : Duration.ofSeconds(1);
        List<JobRecord> running = records.all().stream()
                .filter(r -> r.state() == JobState.RUNNING || r.state() == JobState.CANCELLING)
                .filter(r -> replicas == null ? r.definition() != null : r.attempt() > 0) // not the mirrors of others' jobs
                .toList();
        dispatcher.awaitRunning(running, deadline.atMost(left.minus(reserve).minus(reserve)), deadline.atMost(left.minus(reserve)));
        if (replicas != null) {
            try {
                replicas.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdownNow();
        store.close();
        dispatcher.close();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
