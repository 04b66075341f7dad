package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ondemand.Job;
import dev.kindling.ondemand.JobContext;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore;
import dev.kindling.service.ControlPlane;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of the on-demand pattern: a bounded queue, a bounded number of worker slots, timeouts,
 * cancellation, progress polling, job records in memory (bounded) and written through to an optional
 * durable store.
 *
 * <p><b>Threads.</b> One dispatcher thread takes a worker slot, then a job from the queue, and hands
 * it to a worker thread. A slot is given back exactly once, when the job ends for whatever reason
 * (returned, threw, cancelled, timed out), so a cancelled job frees its slot at once even if its code
 * takes a moment to notice. One timer thread fires timeouts and polls Spark's status tracker.
 */
public final class JobManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobManager.class);
    private static final ObjectMapper JSON = ControlPlane.json();

    /** The knobs, from {@link dev.kindling.ondemand.OnDemandSettings}. */
    public record Config(int workers, int queueCapacity, Duration defaultTimeout, Duration maxTimeout, Duration maxWait,
                         int maxRecords, Duration maxRecordAge, Duration progressInterval, Duration retryAfter) {
    }

    private final SparkSession spark;
    private final SparkContext sc;
    private final JavaSparkStatusTracker tracker;
    private final Map<String, JobDefinition<?, ?>> definitions;
    private final Config config;
    private final JobStore store;
    private final Map<String, JobRecord> records = new ConcurrentHashMap<>();
    private final Deque<JobRecord> finishedOrder = new ArrayDeque<>();
    private final LinkedBlockingQueue<JobRecord> queue;
    private final Semaphore slots;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Thread dispatcher;
    private final MeterRegistry registry;
    private final Counter storeFailures;
    private volatile boolean stopping;

    public JobManager(SparkSession spark, Map<String, JobDefinition<?, ?>> definitions, Config config, JobStore store,
                      MeterRegistry registry) {
        this.spark = spark;
        this.sc = spark.sparkContext();
        this.tracker = JavaSparkContext.fromSparkContext(sc).statusTracker();
        this.definitions = Map.copyOf(definitions);
        this.config = config;
        this.store = store;
        this.registry = registry;
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        this.slots = new Semaphore(config.workers());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kindling-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kindling-job-timer");
            t.setDaemon(true);
            return t;
        });
        this.dispatcher = new Thread(this::dispatch, "kindling-job-dispatcher");
        dispatcher.setDaemon(true);
        Gauge.builder("kindling.ondemand.jobs.running", running, AtomicInteger::get).description("jobs running now").register(registry);
        Gauge.builder("kindling.ondemand.jobs.queued", queue, LinkedBlockingQueue::size).description("jobs waiting for a worker")
                .register(registry);
        Gauge.builder("kindling.ondemand.workers", slots, s -> config.workers()).description("worker slots").register(registry);
        this.storeFailures = Counter.builder("kindling.ondemand.store.failures")
                .description("job state changes the durable store failed to save").register(registry);
        for (String name : definitions.keySet()) {
            submitted(name);
            rejected(name);
        }
    }

    /** Re-queues and fails what the store holds unfinished, then starts the dispatcher and the progress poller. */
    public void start() {
        if (store != null) {
            recover();
        }
        dispatcher.start();
        long every = Math.max(10, config.progressInterval().toMillis());
        timer.scheduleWithFixedDelay(this::pollProgress, every, every, TimeUnit.MILLISECONDS);
    }

    private void recover() {
        List<JobStore.StoredJob> recent = store.loadRecent(config.maxRecords());
        for (int i = recent.size() - 1; i >= 0; i--) {
            JobStore.StoredJob s = recent.get(i);
            if (s.status().state().isFinal()) {
                JobRecord r = JobRecord.finished(s.status(), s.paramsJson(), Duration.ofMillis(s.timeoutMillis()), seq.incrementAndGet());
                records.put(r.id(), r);
                finishedOrder.addLast(r);
            }
        }
        for (JobStore.StoredJob s : store.loadUnfinished()) {
            JobStatus st = s.status();
            Instant now = now();
            if (st.state() == JobState.RUNNING) {
                failStored(s, new JobError(JobError.INTERRUPTED_BY_RESTART,
                        "the service stopped while the job was running; submit it again"), now);
                continue;
            }
            JobDefinition<?, ?> def = definitions.get(st.name());
            if (def == null) {
                failStored(s, new JobError("unknown job", "no job named '" + st.name() + "' is registered since the restart"), now);
                continue;
            }
            Object params;
            try {
                params = ParamsBinder.bind(def, ParamsBinder.readStored(s.paramsJson()));
            } catch (ProblemException e) {
                failStored(s, new JobError("invalid params", e.problem().detail()), now);
                continue;
            }
            JobRecord r = new JobRecord(st.id(), st.name(), seq.incrementAndGet(), def, params, s.paramsJson(),
                    Duration.ofMillis(s.timeoutMillis()), st.submittedAt());
            if (!queue.offer(r)) {
                failStored(s, new JobError("queue full on restart", "more jobs were left queued than the queue holds ("
                        + config.queueCapacity() + ")"), now);
                continue;
            }
            records.put(r.id(), r);
            LOG.info("job {} ({}) queued again after a restart", r.id(), r.name());
        }
    }

    private void failStored(JobStore.StoredJob s, JobError error, Instant now) {
        JobStatus st = s.status();
        JobStatus failed = new JobStatus(st.id(), st.name(), JobState.FAILED, st.submittedAt(), st.startedAt(), now,
                st.progress(), null, error);
        store.save(new JobStore.StoredJob(failed, s.paramsJson(), s.timeoutMillis()));
        JobRecord r = JobRecord.finished(failed, s.paramsJson(), Duration.ofMillis(s.timeoutMillis()), seq.incrementAndGet());
        records.put(r.id(), r);
        synchronized (finishedOrder) {
            finishedOrder.addLast(r);
        }
        LOG.warn("job {} ({}) was {} in the store: now FAILED ({})", st.id(), st.name(), st.state(), error.type());
        finished(st.name(), JobState.FAILED);
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

    public Config config() {
        return config;
    }

    /**
     * Accepts a job: binds and validates the params (400), queues it (429 when full) and saves it as
     * QUEUED in the store before returning.
     *
     * @param timeout null for the job's or the service's default
     */
    public JobRecord submit(String name, JsonNode rawParams, Duration timeout) {
        if (stopping) {
            throw new ProblemException(Problem.of(503, "Service Unavailable", "the service is shutting down; no new jobs"));
        }
        JobDefinition<?, ?> def = definition(name);
        Object params = ParamsBinder.bind(def, rawParams);
        Duration t = timeout != null ? timeout : def.timeout() != null ? def.timeout() : config.defaultTimeout();
        if (t.compareTo(config.maxTimeout()) > 0) {
            t = config.maxTimeout();
        }
        JobRecord r = new JobRecord(UUID.randomUUID().toString(), name, seq.incrementAndGet(), def, params,
                ParamsBinder.toJson(params), t, now());
        records.put(r.id(), r);
        if (!queue.offer(r)) {
            records.remove(r.id());
            rejected(name).increment();
            long seconds = Math.max(1, (config.retryAfter().toMillis() + 999) / 1000);
            throw new ProblemException(Problem.of(429, "Too Many Requests", "the job queue is full (" + config.queueCapacity()
                    + " jobs waiting); retry after " + seconds + " s").with("retryAfterSeconds", seconds));
        }
        if (store != null) {
            try {
                store.save(stored(r));
            } catch (KindlingException e) {
                if (queue.remove(r)) {
                    records.remove(r.id());
                    throw new ProblemException(Problem.of(503, "Service Unavailable", "the job store could not save the job, so it "
                            + "was not accepted: " + Failures.rootMessage(e)));
                }
                // a worker already took it: it is accepted; the store will get its next state
                storeFailures.increment();
                LOG.error("job {} ({}) was queued but the store failed to save it as QUEUED", r.id(), name, e);
            }
        }
        submitted(name).increment();
        evict();
        return r;
    }

    public Optional<JobRecord> find(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** A 404 problem when there is no such job. */
    public JobRecord get(String id) {
        JobRecord r = records.get(id);
        if (r == null) {
            throw new ProblemException(Problem.of(404, "Not Found", "no job has the id '" + id + "'"));
        }
        return r;
    }

    /** Jobs, newest first, filtered by state and name (either may be null). */
    public List<JobRecord> list(JobState state, String name) {
        return records.values().stream()
                .filter(r -> name == null || r.name().equals(name))
                .filter(r -> state == null || r.state() == state)
                .sorted(Comparator.comparingLong(JobRecord::seq).reversed())
                .toList();
    }

    /** Cancels: 404 unknown, 409 already ended. */
    public JobRecord cancel(String id) {
        JobRecord r = get(id);
        JobState before = r.state();
        if (!r.finish(JobState.CANCELLED, null, null, now())) {
            throw new ProblemException(Problem.of(409, "Conflict", "job '" + id + "' has already ended: " + r.state())
                    .with("state", r.state().name()));
        }
        if (before == JobState.QUEUED && queue.remove(r)) {
            LOG.info("job {} ({}) cancelled while queued", id, r.name());
        } else {
            sc.cancelJobGroup(id);
            release(r);
            LOG.info("job {} ({}) cancelled while running; its Spark job group is cancelled", id, r.name());
        }
        ended(r);
        return r;
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
            if (!r.start(now())) {
                slots.release();
                continue;
            }
            running.incrementAndGet();
            if (store != null) {
                save(r);
            }
            try {
                workers.execute(() -> run(r));
            } catch (RuntimeException e) {
                LOG.error("job {} ({}) could not be started", r.id(), r.name(), e);
                fail(r, new JobError(e.getClass().getSimpleName(), Failures.rootMessage(e)));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run(JobRecord r) {
        Future<?> timeoutTask = timer.schedule(() -> timeout(r), r.timeout().toMillis(), TimeUnit.MILLISECONDS);
        r.timeoutTask(timeoutTask);
        sc.setJobGroup(r.id(), "kindling job " + r.name() + " " + r.id(), true);
        sc.setLocalProperty("spark.scheduler.pool", r.name());
        try {
            Job<Object, Object> job = (Job<Object, Object>) r.definition().job();
            Object result = job.run(new Context(r), r.params());
            JsonNode node = JSON.valueToTree(result);
            if (r.finish(JobState.SUCCEEDED, node, null, now())) {
                ended(r);
            }
        } catch (Throwable e) {
            if (r.state().isFinal()) {
                LOG.debug("job {} ({}) ended as {}; its code then stopped with {}", r.id(), r.name(), r.state(), e.toString());
            } else {
                LOG.warn("job {} ({}) failed", r.id(), r.name(), e);
                fail(r, new JobError(e.getClass().getSimpleName(), Failures.rootMessage(e)));
            }
            if (e instanceof Error err && !(e instanceof AssertionError) && !(e instanceof StackOverflowError)) {
                throw err;
            }
        } finally {
            timeoutTask.cancel(false);
            sc.clearJobGroup();
            sc.setLocalProperty("spark.scheduler.pool", null);
            release(r);
            Thread.interrupted();
        }
    }

    private void timeout(JobRecord r) {
        if (r.finish(JobState.FAILED, null, new JobError(JobError.TIMEOUT, "the job ran longer than its timeout of "
                + r.timeout().toMillis() + " ms; its Spark work was cancelled"), now())) {
            LOG.warn("job {} ({}) timed out after {} ms", r.id(), r.name(), r.timeout().toMillis());
            sc.cancelJobGroup(r.id());
            release(r);
            ended(r);
        }
    }

    private void fail(JobRecord r, JobError error) {
        if (r.finish(JobState.FAILED, null, error, now())) {
            release(r);
            ended(r);
        }
    }

    private void release(JobRecord r) {
        if (r.releaseSlotOnce() && r.snapshot().startedAt() != null) {
            running.decrementAndGet();
            slots.release();
        }
    }

    private void ended(JobRecord r) {
        JobStatus s = r.snapshot();
        if (store != null) {
            save(r);
        }
        finished(r.name(), s.state());
        if (s.startedAt() != null && s.finishedAt() != null) {
            Timer.builder("kindling.ondemand.jobs.duration").description("run time of finished jobs")
                    .tag("job", r.name()).tag("state", s.state().name())
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.between(s.startedAt(), s.finishedAt()));
        }
        synchronized (finishedOrder) {
            finishedOrder.addLast(r);
        }
        r.completeDone();
        evict();
    }

    private void save(JobRecord r) {
        try {
            store.save(stored(r));
        } catch (RuntimeException e) {
            // The record in memory is right; only its durable copy is behind. Counted and logged, the job goes on.
            storeFailures.increment();
            LOG.error("job store failed to save job {} ({}) as {}", r.id(), r.name(), r.state(), e);
        }
    }

    private static JobStore.StoredJob stored(JobRecord r) {
        return new JobStore.StoredJob(r.snapshot(), r.paramsJson(), r.timeout().toMillis());
    }

    private void evict() {
        Instant oldest = now().minus(config.maxRecordAge());
        synchronized (finishedOrder) {
            while (!finishedOrder.isEmpty()) {
                JobRecord head = finishedOrder.peekFirst();
                Instant f = head.finishedAt();
                if (finishedOrder.size() > config.maxRecords() || (f != null && f.isBefore(oldest))) {
                    finishedOrder.pollFirst();
                    records.remove(head.id(), head);
                } else {
                    break;
                }
            }
        }
    }

    private void pollProgress() {
        try {
            for (JobRecord r : records.values()) {
                if (r.state() != JobState.RUNNING) {
                    continue;
                }
                int stages = 0;
                int stagesDone = 0;
                int tasks = 0;
                int tasksDone = 0;
                for (int jobId : tracker.getJobIdsForGroup(r.id())) {
                    SparkJobInfo job = tracker.getJobInfo(jobId);
                    if (job == null) {
                        continue;
                    }
                    boolean jobDone = job.status() == org.apache.spark.JobExecutionStatus.SUCCEEDED;
                    for (int stageId : job.stageIds()) {
                        stages++;
                        SparkStageInfo stage = tracker.getStageInfo(stageId);
                        if (stage != null) {
                            tasks += stage.numTasks();
                            tasksDone += stage.numCompletedTasks();
                        }
                        if (jobDone || (stage != null && stage.numTasks() > 0 && stage.numCompletedTasks() >= stage.numTasks())) {
                            stagesDone++;
                        }
                    }
                }
                r.sparkProgress(stagesDone, stages, tasksDone, tasks);
            }
        } catch (RuntimeException e) {
            LOG.warn("reading job progress from Spark's status tracker failed; trying again in {}", config.progressInterval(), e);
        }
    }

    /**
     * Runs each job that has warm-up params once, on a worker thread as a real job runs (job group, FAIR
     * pool, result written as JSON) but outside the records and metrics; then a small SQL query. So code
     * generation, class loading and the first-query costs are paid before readiness.
     */
    @SuppressWarnings("unchecked")
    public void warmUp() throws Exception {
        spark.range(0, 1000, 1, 2).selectExpr("sum(id)").collectAsList();
        for (JobDefinition<?, ?> def : definitions.values()) {
            if (def.warmUpParams() == null) {
                continue;
            }
            String id = "warm-up-" + def.name();
            ParamsBinder.bind((JobDefinition<Object, ?>) def, ParamsBinder.readStored(ParamsBinder.toJson(def.warmUpParams())));
            JobRecord fake = new JobRecord(id, def.name(), 0, def, def.warmUpParams(), "{}", config.defaultTimeout(), now());
            fake.start(now());
            Future<?> run = workers.submit(() -> {
                sc.setJobGroup(id, "kindling warm-up of " + def.name(), true);
                sc.setLocalProperty("spark.scheduler.pool", def.name());
                try {
                    Job<Object, Object> job = (Job<Object, Object>) def.job();
                    JsonNode result = JSON.valueToTree(job.run(new Context(fake), def.warmUpParams()));
                    fake.finish(JobState.SUCCEEDED, result, null, now());
                    JSON.writeValueAsString(JobRoutes.view(fake.snapshot()));
                    return null;
                } finally {
                    sc.clearJobGroup();
                    sc.setLocalProperty("spark.scheduler.pool", null);
                }
            });
            try {
                run.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new KindlingException("the warm-up run of job '" + def.name() + "' failed: " + Failures.rootMessage(e), e.getCause());
            }
        }
    }

    /**
     * Stops taking jobs. Queued jobs stay QUEUED in the durable store (they run after the restart);
     * without a store they end FAILED ({@code interrupted by shutdown}). Running jobs get up to
     * {@code grace} to finish, then end FAILED ({@code interrupted by shutdown}) and their Spark work is
     * cancelled.
     */
    public void shutdown(Duration grace) {
        if (stopping) {
            return;
        }
        stopping = true;
        dispatcher.interrupt();
        List<JobRecord> queued = new java.util.ArrayList<>();
        queue.drainTo(queued);
        if (store == null) {
            for (JobRecord r : queued) {
                if (r.finish(JobState.FAILED, null, new JobError(JobError.INTERRUPTED_BY_SHUTDOWN,
                        "the service stopped before the job started"), now())) {
                    ended(r);
                }
            }
        } else if (!queued.isEmpty()) {
            LOG.info("{} queued job(s) stay QUEUED in the job store and run after the restart", queued.size());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (JobRecord r : records.values()) {
            if (r.state() != JobState.RUNNING) {
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                r.done().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (r.finish(JobState.FAILED, null, new JobError(JobError.INTERRUPTED_BY_SHUTDOWN,
                        "the service stopped while the job ran (grace period " + grace + " over)"), now())) {
                    sc.cancelJobGroup(r.id());
                    release(r);
                    ended(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException | CancellationException e) {
                // ended one way or another
            }
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    private Counter submitted(String job) {
        return Counter.builder("kindling.ondemand.jobs.submitted").description("jobs accepted").tag("job", job).register(registry);
    }

    private Counter rejected(String job) {
        return Counter.builder("kindling.ondemand.jobs.rejected").description("submissions refused because the queue was full")
                .tag("job", job).register(registry);
    }

    private void finished(String job, JobState state) {
        Counter.builder("kindling.ondemand.jobs.finished").description("jobs ended, by final state")
                .tag("job", job).tag("state", state.name()).register(registry).increment();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private final class Context implements JobContext {
        private final JobRecord record;

        Context(JobRecord record) {
            this.record = record;
        }

        @Override
        public SparkSession spark() {
            return spark;
        }

        @Override
        public String jobId() {
            return record.id();
        }

        @Override
        public String jobName() {
            return record.name();
        }

        @Override
        public void reportProgress(double fraction, String message) {
            record.ownProgress(fraction, message);
        }

        @Override
        public boolean isCancelled() {
            JobState s = record.state();
            return s == JobState.CANCELLED || s == JobState.FAILED;
        }

        @Override
        public void throwIfCancelled() {
            if (isCancelled()) {
                throw new CancellationException("job " + record.id() + " was cancelled or timed out");
            }
        }
    }
}
