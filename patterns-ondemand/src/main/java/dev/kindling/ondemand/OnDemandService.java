package dev.kindling.ondemand;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ondemand.internal.JobManager;
import dev.kindling.ondemand.internal.JobRecord;
import dev.kindling.ondemand.internal.JobRoutes;
import dev.kindling.service.ControlPlane;
import dev.kindling.service.ControlPlaneSettings;
import dev.kindling.spark.SparkSessions;
import io.javalin.config.RoutesConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-demand batch pattern as a service: Spark jobs run when requests arrive, on one warm
 * SparkSession, through a bounded queue and a bounded number of workers, with an HTTP API
 * ({@code POST /jobs/{name}}, {@code GET /jobs/{id}}, {@code GET /jobs}, {@code DELETE /jobs/{id}},
 * {@code GET /jobs/{id}/events}) on the shared control plane.
 *
 * <pre>{@code
 * OnDemandService service = OnDemandService.builder("sparkpi")
 *         .job(JobDefinition.builder("sparkpi", PiParams.class, (ctx, p) -> SparkPi.estimate(ctx.spark(), p)).build())
 *         .syncRoute("/sparkpi", "sparkpi")          // GET /sparkpi?samples=1000 answers the result
 *         .build()
 *         .start();
 * service.installShutdownHook();
 * service.awaitShutdown();
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} creates the SparkSession unless one was given (with
 * {@code spark.scheduler.mode=FAIR}), re-queues what the durable store left QUEUED and fails what it
 * left RUNNING, starts the workers and the HTTP server, and then, on a background thread, runs the
 * warm-up (each job with warm-up params, then loopback requests to its own API): {@code /readyz} turns
 * 200 only after it succeeded. {@link #shutdown()} (also on SIGTERM
 * after {@link #installShutdownHook()}) drains HTTP requests, stops taking jobs, gives running jobs the
 * grace period ({@code kindling.shutdown.grace}), then stops Spark if the service created it.
 *
 * <p><b>Threads.</b> All public methods are thread-safe. Jobs run on worker threads; see
 * {@link JobContext}. Settings: {@link OnDemandSettings} and
 * {@link dev.kindling.service.ControlPlaneSettings}.
 */
public final class OnDemandService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnDemandService.class);

    private final String serviceName;
    private final Settings settings;
    private final SparkSession givenSpark;
    private final Map<String, JobDefinition<?, ?>> jobs;
    private final Map<String, String> syncRoutes;
    private final List<Consumer<RoutesConfig>> routes;
    private final JobStore store;
    private final Map<String, String> sparkDefaults;
    private final ControlPlane.Builder givenPlane;
    private final AtomicBoolean warm = new AtomicBoolean();
    private volatile Throwable warmUpFailure;
    private volatile ControlPlane plane;
    private volatile JobManager manager;

    private OnDemandService(Builder b, JobStore store) {
        this.serviceName = b.serviceName;
        this.settings = b.settings;
        this.givenSpark = b.spark;
        this.jobs = Map.copyOf(b.jobs);
        this.syncRoutes = new LinkedHashMap<>(b.syncRoutes);
        this.routes = List.copyOf(b.routes);
        this.store = store;
        this.sparkDefaults = Map.copyOf(b.sparkDefaults);
        this.givenPlane = b.plane;
    }

    public static Builder builder(String serviceName) {
        return new Builder(serviceName);
    }

    /** Starts the service; see the class javadoc. Returns this. */
    public synchronized OnDemandService start() {
        if (plane != null) {
            throw new IllegalStateException("on-demand service " + serviceName + " already started");
        }
        SparkSession spark = givenSpark;
        if (spark == null) {
            Map<String, String> defaults = new LinkedHashMap<>();
            defaults.put("spark.scheduler.mode", "FAIR");
            defaults.putAll(sparkDefaults);
            spark = SparkSessions.create(serviceName, defaults, settings);
        } else if (!"FAIR".equals(spark.sparkContext().getConf().get("spark.scheduler.mode", "FIFO"))) {
            LOG.warn("the SparkSession given to {} runs with spark.scheduler.mode={}: jobs share one FIFO queue, so a slow job "
                    + "can hold back quick ones; set spark.scheduler.mode=FAIR when creating it", serviceName,
                    spark.sparkContext().getConf().get("spark.scheduler.mode", "FIFO"));
        }
        SparkSession session = spark;
        int workers = settings.get(OnDemandSettings.WORKERS);
        if (workers == 0) {
            workers = Runtime.getRuntime().availableProcessors();
        }
        JobManager.Config config = new JobManager.Config(workers, settings.get(OnDemandSettings.QUEUE_CAPACITY),
                settings.get(OnDemandSettings.DEFAULT_TIMEOUT), settings.get(OnDemandSettings.MAX_TIMEOUT),
                settings.get(OnDemandSettings.MAX_WAIT), settings.get(OnDemandSettings.MAX_RECORDS),
                settings.get(OnDemandSettings.MAX_RECORD_AGE), settings.get(OnDemandSettings.PROGRESS_INTERVAL),
                settings.get(OnDemandSettings.RETRY_AFTER));
        Duration grace = settings.get(ControlPlaneSettings.SHUTDOWN_GRACE);
        JobManager[] holder = new JobManager[1];
        ControlPlane.Builder pb = (givenPlane != null ? givenPlane : ControlPlane.builder(serviceName)).settings(settings)
                .readiness("spark", () -> !session.sparkContext().isStopped() && warm.get());
        if (givenSpark == null) {
            pb.onShutdown("spark", session::stop);
        }
        if (store != null) {
            pb.onShutdown("job store", store::close);
        }
        pb.onShutdown("jobs", () -> holder[0].shutdown(grace));
        pb.routes(r -> {
            JobRoutes jr = new JobRoutes(holder[0]);
            jr.register(r);
            syncRoutes.forEach((path, name) -> jr.registerSync(r, path, name));
        });
        for (Consumer<RoutesConfig> extra : routes) {
            pb.routes(extra);
        }
        ControlPlane p = pb.build();
        JobManager m = new JobManager(session, jobs, config, store, p.meterRegistry());
        holder[0] = m;
        m.start();
        this.manager = m;
        p.start();
        this.plane = p;
        Thread warmUp = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                m.warmUp();
                warmHttpPath(p);
                warm.set(true);
                LOG.info("{} warmed up in {} ms: ready", serviceName, (System.nanoTime() - t0) / 1_000_000);
            } catch (Throwable e) {
                warmUpFailure = e;
                LOG.error("{}: the warm-up failed, so the service stays not ready", serviceName, e);
            }
        }, serviceName + "-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        return this;
    }

    /**
     * Sends two requests to this service over the loopback (the job list and an unknown job), so the
     * HTTP server's routing, JSON writing and problem paths are loaded before the first user request.
     */
    private void warmHttpPath(ControlPlane p) {
        String host = settings.get(ControlPlaneSettings.HOST);
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (String path : List.of("/jobs?limit=1", "/jobs/warm-up")) {
            try {
                client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + host + ":" + p.port() + path))
                        .timeout(Duration.ofSeconds(5)).GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                LOG.warn("{}: the warm-up request GET {} failed ({}); the first user request may be slower", serviceName, path,
                        e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The bound HTTP port. */
    public int port() {
        return controlPlane().port();
    }

    /** The control plane (metrics registry, readiness, shutdown). */
    public ControlPlane controlPlane() {
        ControlPlane p = plane;
        if (p == null) {
            throw new IllegalStateException("on-demand service " + serviceName + " is not started");
        }
        return p;
    }

    /** Whether the warm-up has run and every readiness check passes. */
    public boolean isReady() {
        return plane != null && plane.isReady();
    }

    /** The failure of the warm-up, if it failed. */
    public Optional<Throwable> warmUpFailure() {
        return Optional.ofNullable(warmUpFailure);
    }

    /**
     * Submits a job in-process, as {@code POST /jobs/{name}} does.
     *
     * @param params anything Jackson turns into the job's params (a record, a map, a JsonNode), or null
     * @throws dev.kindling.service.ProblemException 404, 400, 429 or 503, as the HTTP API answers
     */
    public JobStatus submit(String name, Object params) {
        JsonNode json = params == null ? null : ControlPlane.json().valueToTree(params);
        return manager().submit(name, json, null).snapshot();
    }

    /** The job's status, if it is known (in memory). */
    public Optional<JobStatus> status(String id) {
        return manager().find(id).map(JobRecord::snapshot);
    }

    /** Cancels a job; see {@code DELETE /jobs/{id}}. */
    public JobStatus cancel(String id) {
        return manager().cancel(id).snapshot();
    }

    /** Waits up to {@code wait} for the job to end; returns its status then (final or not). */
    public JobStatus await(String id, Duration wait) throws InterruptedException {
        JobRecord r = manager().get(id);
        try {
            return r.done().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return r.snapshot();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Runs {@link #shutdown()} on SIGTERM/SIGINT. */
    public OnDemandService installShutdownHook() {
        controlPlane().installShutdownHook();
        return this;
    }

    /** Drains and stops; see the class javadoc. Idempotent. */
    public void shutdown() {
        ControlPlane p = plane;
        if (p != null) {
            p.shutdown();
        }
    }

    public void awaitShutdown() {
        controlPlane().awaitShutdown();
    }

    @Override
    public void close() {
        shutdown();
    }

    private JobManager manager() {
        JobManager m = manager;
        if (m == null) {
            throw new IllegalStateException("on-demand service " + serviceName + " is not started");
        }
        return m;
    }

    /**
     * Builds an {@link OnDemandService}. Setters reject nulls and duplicates; {@link #build()} checks that
     * there is a job, that every sync route names one, and that the store is given one way only.
     */
    public static final class Builder {
        private final String serviceName;
        private Settings settings = Settings.fromEnvironment();
        private SparkSession spark;
        private final Map<String, JobDefinition<?, ?>> jobs = new LinkedHashMap<>();
        private final Map<String, String> syncRoutes = new LinkedHashMap<>();
        private final List<Consumer<RoutesConfig>> routes = new ArrayList<>();
        private final Map<String, String> sparkDefaults = new LinkedHashMap<>();
        private JobStore store;
        private ControlPlane.Builder plane;

        private Builder(String serviceName) {
            this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
        }

        /** Where settings come from; default {@link Settings#fromEnvironment()}. */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** A SparkSession to use (and not stop); default: the service creates one with FAIR scheduling and stops it. */
        public Builder spark(SparkSession spark) {
            this.spark = Objects.requireNonNull(spark, "spark");
            return this;
        }

        /** Service defaults for the SparkSession it creates (below spark-submit, env and files; see SparkSessions). */
        public Builder sparkDefault(String key, String value) {
            sparkDefaults.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Registers a job under its name. */
        public Builder job(JobDefinition<?, ?> job) {
            Objects.requireNonNull(job, "job");
            if (jobs.putIfAbsent(job.name(), job) != null) {
                throw new ConfigurationException("job '" + job.name() + "' is registered twice");
            }
            return this;
        }

        /** A {@code GET path} route that runs job {@code jobName} with the query parameters and answers its result (200). */
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

        /** More routes on the same server (e.g. a banner at {@code /}). */
        public Builder routes(Consumer<RoutesConfig> routes) {
            this.routes.add(Objects.requireNonNull(routes, "routes"));
            return this;
        }

        /** A durable job store; default: the one the settings name ({@code kindling.ondemand.store.url}), else none. */
        public Builder store(JobStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Serve on this control plane instead of a new one, so that one process can offer the job API
         * next to other routes, readiness checks and shutdown actions (another runner's, say). The
         * service adds its own to the builder and builds and starts it in {@link OnDemandService#start()}.
         */
        public Builder controlPlane(ControlPlane.Builder plane) {
            this.plane = Objects.requireNonNull(plane, "plane");
            return this;
        }

        public OnDemandService build() {
            if (jobs.isEmpty()) {
                throw new ConfigurationException("on-demand service " + serviceName + " has no job: call job(...)");
            }
            syncRoutes.forEach((path, name) -> {
                if (!jobs.containsKey(name)) {
                    throw new ConfigurationException("sync route " + path + " names job '" + name + "', which is not registered; jobs: "
                            + jobs.keySet());
                }
            });
            String url = settings.get(OnDemandSettings.STORE_URL);
            boolean urlSet = url != null && !url.isBlank();
            if (store != null && urlSet) {
                throw new ConfigurationException("the job store is given twice: by store(...) and by the setting "
                        + OnDemandSettings.STORE_URL.name() + "; use one");
            }
            JobStore s = store;
            if (s == null && urlSet) {
                String pw = settings.get(OnDemandSettings.STORE_PASSWORD);
                s = PostgresJobStore.create(new JdbcEndpoint(url, settings.get(OnDemandSettings.STORE_USER),
                        pw == null ? null : Secret.of(pw)), settings.get(OnDemandSettings.STORE_TABLE));
            }
            return new OnDemandService(this, s);
        }
    }
}
