package dev.kindling.ondemand;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.LeaseKeeper;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Remote;
import dev.kindling.ondemand.internal.CronSchedules;
import dev.kindling.ondemand.internal.EngineConfig;
import dev.kindling.ondemand.internal.EventStreams;
import dev.kindling.ondemand.internal.FairPools;
import dev.kindling.ondemand.internal.JobEngine;
import dev.kindling.ondemand.internal.JobRecord;
import dev.kindling.ondemand.internal.JobRoutes;
import dev.kindling.ondemand.internal.JobServiceDetails;
import dev.kindling.ondemand.internal.PostgresJobStore;
import dev.kindling.ondemand.internal.WarmUp;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import dev.kindling.service.Health;
import dev.kindling.service.Json;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.Routes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The on-demand batch pattern as a {@link Component} (pattern {@code ondemand}): Spark jobs run when
 * requests arrive, on the service's warm SparkSession, through a bounded queue and a bounded number of
 * workers, with a job API over HTTP and, optionally, cron schedules and a durable job store.
 *
 * <pre>{@code
 * JobService jobs = JobService.builder("sparkpi")
 *         .job(JobDefinition.builder("sparkpi", PiParams.class, (ctx, p) -> SparkPi.estimate(ctx.spark(), p)).build())
 *         .syncRoute("/sparkpi", "sparkpi")          // GET /sparkpi?samples=1000 answers the result (a read-only job)
 *         .build();
 * KindlingService.builder("sparkpi").component(jobs).run();
 * }</pre>
 *
 * <p><b>Routes</b> (under {@link Builder#routePrefix}, default none): {@code POST /jobs/{name}},
 * {@code GET /jobs}, {@code GET /jobs/{id}}, {@code DELETE /jobs/{id}}, {@code GET /jobs/{id}/events}
 * and the sync routes. Before {@code start} they answer 503.
 *
 * <p><b>Lifecycle.</b> {@link #sparkDefaults} (when the service creates the session) asks for FAIR
 * scheduling and declares one pool per job. {@link #start} reads {@link OnDemandSettings} from the
 * service's settings, opens the durable store they name (or uses {@link Builder#store}; a
 * {@link ConfigurationException} there fails the start), starts the dispatcher, the timer and the cron
 * schedules, and starts the warm-up
 * on the component's {@code warm-up} thread: {@link #readiness} is down ("warming up") until a first
 * Spark query and each job's warm-up run through the service's own HTTP API have succeeded, and while
 * the job store fails. {@link #stop} stops taking jobs, gives running jobs until shortly before the
 * deadline, then ends them FAILED ({@code interrupted by shutdown}); queued jobs stay QUEUED in the store.
 *
 * <p><b>Replicas.</b> With the PostgreSQL store ({@link JobStore#postgres}) the service is one replica of
 * possibly several on the same table: a {@code replica} thread claims queued jobs for free workers, renews
 * the leases of the jobs it runs, reads cancel requests sent to other replicas, ends the leases of dead
 * replicas (their jobs are requeued or FAILED {@code replica lost}) and refreshes the jobs it follows for
 * its clients. Any replica answers {@code GET}, {@code DELETE} and the event stream of any job; reads of a
 * job it does not hold go to the store, off the request threads. A submission is acknowledged only after its
 * QUEUED row is saved (the one store write on a request thread). With another store, the service recovers
 * at start as {@link JobStore} describes (one replica only); without a store it keeps everything in memory.
 *
 * <p><b>Threads.</b> All public methods are thread-safe. Jobs run on the component's worker threads
 * (see {@link JobContext}); a {@link VirtualMachineError} there moves the component to FAILED.
 */
public final class JobService implements Component {
    private final String name;
    private final String prefix;
    private final Map<String, JobDefinition<?, ?>> jobs;
    private final JobStore givenStore;
    private final Clock clock;
    private final String warmUpKey = UUID.randomUUID().toString();
    private volatile Running running;

    /** The parts of a started service. */
    private record Running(JobEngine engine, EventStreams events, WarmUp warmUp, CronSchedules schedules, JobStore ownStore,
                           Thread warmUpThread, java.util.concurrent.ExecutorService reads, LeaseKeeper scheduleLease)
            implements JobRoutes.Running {
    }

    private final JobRoutes routes;

    private JobService(Builder b) {
        this.name = b.name;
        this.prefix = b.prefix;
        this.jobs = new LinkedHashMap<>(b.jobs);
        this.givenStore = b.store;
        this.clock = b.clock;
        this.routes = new JobRoutes(this::running, prefix, b.syncRoutes, warmUpKey);
    }

    /** A builder for the component {@code name} (its key in {@code /status}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String pattern() {
        return "ondemand";
    }

    /**
     * {@code spark.scheduler.mode=FAIR} and {@code spark.scheduler.allocation.file} naming a file that
     * declares one FAIR pool per job, with {@link OnDemandSettings#POOL_WEIGHT} and
     * {@link OnDemandSettings#POOL_MIN_SHARE}; use them when you create the session yourself.
     */
    @Override
    public Map<String, String> sparkDefaults(Settings settings) {
        return FairPools.sparkDefaults(jobs.keySet(), settings);
    }

    @Override
    public void routes(Routes r) {
        routes.register(r);
    }

    @Override
    public synchronized void start(ComponentContext context) {
        if (running != null) {
            throw new IllegalStateException("job service " + name + " was already started");
        }
        Settings settings = context.settings();
        EngineConfig config = EngineConfig.from(settings);
        JobStore ownStore = null;
        String storeUrl = settings.get(OnDemandSettings.STORE_URL);
        if (givenStore != null && storeUrl != null && !storeUrl.isBlank()) {
            throw new ConfigurationException("the job store is given twice: by store(...) and by the setting "
                    + OnDemandSettings.STORE_URL.name() + "; use one");
        }
        Map<String, String> cron = CronSchedules.read(settings, jobs.keySet());
        if (givenStore == null) {
            ownStore = PostgresJobStore.fromSettings(settings);
        }
        JobStore store = givenStore != null ? givenStore : ownStore;
        JobEngine engine = new JobEngine(context, jobs, config, store,
                FairPools.declared(context.spark().sparkContext(), jobs.keySet(), name), clock);
        CronSchedules schedules = new CronSchedules(cron, jobs, engine, context, clock);
        engine.start();
        AtomicInteger n = new AtomicInteger();
        EventStreams events = new EventStreams(Executors.newCachedThreadPool(r -> context.newThread("events-" + n.incrementAndGet(), r)),
                engine.timer());
        WarmUp warmUp = new WarmUp(context, engine, new ArrayList<>(jobs.values()), prefix, warmUpKey);
        Thread warmUpThread = context.newThread("warm-up", warmUp);
        LeaseKeeper scheduleLease = null;
        if (!schedules.isEmpty() && store instanceof PostgresJobStore shared) { // replicas: one of them runs the schedules
            JdbcLease lease = JdbcLease.builder(shared.endpoint(), "ondemand/schedules/" + name).holder(config.replicas().id())
                    .ttl(config.replicas().lease()).build();
            scheduleLease = LeaseKeeper.start(lease, new LeaseKeeper.Listener() { });
            schedules.onlyWhile(scheduleLease::isLeader, "the lease '" + lease.name() + "'");
        }
        if (!schedules.isEmpty()) {
            engine.timer().scheduleWithFixedDelay(engine.guarded("running cron schedules", schedules::runDue), 1, 1, TimeUnit.SECONDS);
        }
        AtomicInteger reader = new AtomicInteger();
        running = new Running(engine, events, warmUp, schedules, ownStore, warmUpThread,
                Executors.newFixedThreadPool(4, r -> context.newThread("reads-" + reader.incrementAndGet(), r)), scheduleLease);
        warmUpThread.start();
    }

    @Override
    public void stop(Deadline deadline) throws InterruptedException {
        Running r = running;
        if (r == null) {
            return;
        }
        r.warmUp().stop();
        if (r.scheduleLease() != null) {
            r.scheduleLease().close(); // another replica runs the schedules from now on
        }
        r.warmUpThread().interrupt();
        r.engine().stop(deadline);
        r.events().close();
        r.reads().shutdownNow();
        deadline.join(r.warmUpThread());
        if (r.ownStore() != null) {
            r.ownStore().close();
        }
    }

    /** What the jobs need ({@link JobDefinition#dependencies()}) and the durable job store's database, if there is one. */
    @Override
    public List<Dependency> dependencies() {
        Map<String, Dependency> byName = new LinkedHashMap<>();
        jobs.values().forEach(j -> j.dependencies().forEach(d -> byName.putIfAbsent(d.name(), d)));
        Running r = running;
        if ((givenStore != null ? givenStore : r == null ? null : r.ownStore()) instanceof Remote store) {
            byName.putIfAbsent(store.dependency().name(), store.dependency());
        }
        return List.copyOf(byName.values());
    }

    /** Down until the warm-up ran, and while the durable store fails; see the class javadoc. */
    @Override
    public Health readiness() {
        Running r = running;
        if (r == null) {
            return Health.down("not started");
        }
        Health warm = r.warmUp().health();
        return warm.ok() ? r.engine().storeHealth() : warm;
    }

    @Override
    public Object details() {
        Running r = running;
        if (r == null) {
            return null;
        }
        JobEngine e = r.engine();
        return new JobServiceDetails(List.copyOf(jobs.keySet()), e.workers(), e.running(), e.queued(), r.warmUp().done(),
                r.schedules().describe(), givenStore != null ? givenStore.toString() : r.ownStore() == null ? "none"
                : r.ownStore().toString(), e.pendingSaves(), e.replicaId());
    }

    /**
     * Submits a job in-process, as {@code POST /jobs/{name}} does (recorded with {@code trigger: "in-process"}).
     *
     * @param params anything Jackson turns into the job's params (a record, a map, a JsonNode), or null
     * @throws ProblemException 404, 400, 429 or 503, as the HTTP API answers
     */
    public JobStatus submit(String job, Object params) {
        return engine().submit(job, params == null ? null : Json.mapper().valueToTree(params), null, JobStatus.IN_PROCESS).snapshot();
    }

    /**
     * The job's status, if it is known: in memory, or, with the PostgreSQL store, in the store (whichever
     * replica accepted or runs it; this reads the database).
     */
    public Optional<JobStatus> status(String id) {
        try {
            return Optional.of(engine().status(id));
        } catch (ProblemException e) {
            if (e.problem().status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Cancels a job; see {@code DELETE /jobs/{id}}. */
    public JobStatus cancel(String id) {
        return engine().cancel(id).snapshot();
    }

    /** Waits up to {@code wait} for the job to end; returns its status then (final or not). */
    public JobStatus await(String id, Duration wait) throws InterruptedException {
        JobRecord r = engine().get(id);
        try {
            return r.done().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return r.snapshot();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs the cron schedules that are due at the clock's time now (the timer does it every second). */
    void runDueSchedules() {
        running().schedules().runDue();
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new ProblemException(Problem.of(503, "Service Unavailable", "job service " + name + " is not started yet"));
        }
        return r;
    }

    private JobEngine engine() {
        return running().engine();
    }

    @Override
    public String toString() {
        return "JobService[" + name + ", jobs " + jobs.keySet() + "]";
    }

    /**
     * Builds a {@link JobService}. Setters reject nulls and duplicates; {@link #build()} checks that there
     * is a job and that every sync route names one.
     */
    public static final class Builder {
        private final String name;
        private final Map<String, JobDefinition<?, ?>> jobs = new LinkedHashMap<>();
        private final Map<String, String> syncRoutes = new LinkedHashMap<>();
        private String prefix = "";
        private JobStore store;
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Registers a job under its name. */
        public Builder job(JobDefinition<?, ?> job) {
            Objects.requireNonNull(job, "job");
            if (jobs.putIfAbsent(job.name(), job) != null) {
                throw new ConfigurationException("job '" + job.name() + "' is registered twice");
            }
            return this;
        }

        /**
         * A {@code GET path} route (under the prefix) that runs job {@code jobName} with the query parameters and answers
         * its result. The job must be {@linkplain JobDefinition.Builder#readOnly() read-only}, and a GET is bounded: the
         * job runs at most its own timeout or {@code kindling.ondemand.max-wait} (60 s), whichever is shorter, and is
         * cancelled with a {@code 504} when it has not ended by then, so that no GET leaves work running behind it.
         * Heavier work is submitted with {@code POST /jobs/NAME}.
         */
        public Builder syncRoute(String path, String jobName) {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(jobName, "jobName");
            if (!path.startsWith("/") || path.startsWith("/jobs")) {
                throw new ConfigurationException("a sync route path starts with '/' and not with '/jobs'; got '" + path + "'");
            }
            if (syncRoutes.putIfAbsent(path, jobName) != null) {
                throw new ConfigurationException("sync route " + path + " is registered twice");
            }
            return this;
        }

        /** Serves every route under {@code prefix} (such as {@code /api}); default none: {@code /jobs/...} at the root. */
        public Builder routePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
                throw new ConfigurationException("a route prefix starts with '/' and does not end with one, such as /api; got '"
                        + prefix + "'");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * A durable job store; default: the one the settings name ({@code kindling.ondemand.store.url}), else
         * none. The service does not close a store given here: add it to the service as a resource.
         */
        public Builder store(JobStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The clock of job times and cron schedules; default UTC system time (tests pass one they control). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws ConfigurationException when there is no job, or a sync route names none or one that is not read-only */
        public JobService build() {
            if (jobs.isEmpty()) {
                throw new ConfigurationException("job service " + name + " has no job: call job(...)");
            }
            syncRoutes.forEach((path, job) -> {
                if (!jobs.containsKey(job)) {
                    throw new ConfigurationException("sync route " + path + " names job '" + job + "', which is not registered; jobs: "
                            + jobs.keySet());
                }
                if (!jobs.get(job).readOnly()) {
                    throw new ConfigurationException("sync route GET " + path + " runs job '" + job + "', which is not declared read-only: "
                            + "a GET must change nothing. Declare it with JobDefinition.Builder.readOnly() if it only reads and computes, "
                            + "or let callers POST /jobs/" + job + "?wait=...");
                }
            });
            return new JobService(this);
        }
    }
}
