package dev.kindling.continuous;

import dev.kindling.config.Settings;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Options;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import dev.kindling.service.ControlPlane;
import dev.kindling.service.ControlPlaneSettings;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.spark.SparkSessions;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A continuous-batch runner as a service: the shared {@link ControlPlane} plus the runner's routes,
 * readiness, metrics and graceful shutdown.
 *
 * <pre>{@code
 * ControlPlane plane = ContinuousService.start(runner, Settings.fromEnvironment());
 * plane.installShutdownHook();     // SIGTERM: the current cycle may finish within kindling.shutdown.grace
 * plane.awaitShutdown();
 * }</pre>
 *
 * <p>HTTP API (besides {@code /healthz}, {@code /readyz}, {@code /metrics}):
 * <ul>
 *   <li>{@code GET /status} — {@link RunnerStatus} as JSON;</li>
 *   <li>{@code POST /cycles} — run a cycle now: {@code 202} with {@code Location: /status}; with
 *       {@code ?wait=30s} it waits up to that long and answers {@code 200} with the {@link CycleReport}
 *       ({@code 202} when the cycle is still running);</li>
 *   <li>{@code POST /pause}, {@code POST /resume} — {@code 200} with the status.</li>
 * </ul>
 * Requests against a stopped or failed runner answer {@code 409}. Readiness ({@code /readyz}) is the
 * runner's {@link ContinuousRunner#isReady()}.
 *
 * <p>{@link #main} starts everything from configuration alone ({@link ContinuousSettings}).
 */
public final class ContinuousService {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousService.class);

    private ContinuousService() {
    }

    /**
     * Builds and starts the control plane for {@code runner}, binds the runner's meters and starts the
     * runner (paused when {@code kindling.continuous.start-paused} is true). On shutdown the runner
     * stops within {@code kindling.shutdown.grace}, before the actions registered in {@code extra}
     * (register {@code spark.stop()} there).
     */
    public static ControlPlane start(ContinuousRunner runner, Settings settings, ControlPlane.Builder extra) {
        ControlPlane plane = contribute(runner, settings, extra).build().start();
        startRunner(runner, settings, plane);
        return plane;
    }

    /**
     * Adds the runner's routes, readiness check and shutdown action to {@code plane} without building
     * it, for a process that serves more than one runner on one control plane (the recommender serves
     * its modeler and an on-demand predictor). Once the plane is started, call {@link #startRunner}.
     */
    public static ControlPlane.Builder contribute(ContinuousRunner runner, Settings settings, ControlPlane.Builder plane) {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(settings, "settings");
        Duration grace = settings.get(ControlPlaneSettings.SHUTDOWN_GRACE);
        return plane
                .settings(settings)
                .readiness("continuous-runner", runner::isReady)
                .routes(r -> {
                    r.get("/status", ctx -> ctx.json(runner.status()));
                    r.post("/cycles", ctx -> cycles(ctx, runner));
                    r.post("/pause", ctx -> ctx.json(alive(runner::pause)));
                    r.post("/resume", ctx -> ctx.json(alive(runner::resume)));
                })
                .onShutdown("continuous-runner", () -> runner.stop(grace));
    }

    /** Binds the runner's meters to the started {@code plane} and starts it (paused when {@code kindling.continuous.start-paused}). */
    public static void startRunner(ContinuousRunner runner, Settings settings, ControlPlane plane) {
        runner.bindTo(plane.meterRegistry());
        if (settings.get(ContinuousSettings.START_PAUSED)) {
            runner.pause();
        }
        runner.start();
    }

    /** {@link #start(ContinuousRunner, Settings, ControlPlane.Builder)} with a plain control plane named after the pipeline. */
    public static ControlPlane start(ContinuousRunner runner, Settings settings) {
        return start(runner, settings, ControlPlane.builder(runner.pipeline().name()));
    }

    private static <T> T alive(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (IllegalStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    private static void cycles(Context ctx, ContinuousRunner runner) throws InterruptedException {
        String waitText = ctx.queryParam("wait");
        Duration wait = Duration.ZERO;
        if (waitText != null) {
            try {
                wait = dev.kindling.config.Setting.parseDuration(waitText);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(Problem.of(400, "Bad wait", "query parameter 'wait' must be a duration such as 500ms, 30s, 5m; got '"
                        + waitText + "'").with("parameter", "wait"));
            }
            if (wait.isNegative() || wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new ProblemException(Problem.of(400, "Bad wait", "query parameter 'wait' must be between 0s and 10m; got '"
                        + waitText + "'").with("parameter", "wait"));
            }
        }
        CompletableFuture<CycleReport> future = alive(runner::runCycle);
        ctx.header("Location", "/status");
        if (!wait.isZero()) {
            try {
                ctx.status(200).json(future.get(wait.toMillis(), TimeUnit.MILLISECONDS));
                return;
            } catch (TimeoutException e) {
                // still running: answer 202 below
            } catch (ExecutionException e) {
                throw ProblemException.conflict(e.getCause().getMessage());
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requested", true);
        body.put("status", "/status");
        ctx.status(202).json(body);
    }

    /**
     * A runner assembled from configuration alone: the source URI (with
     * {@link ContinuousSettings#WATERMARK_COLUMN}), an optional SQL processor, the sink URI, the
     * interval, and the watermark store or checkpoint of the chosen mode.
     *
     * @throws ConfigurationException naming the setting that is missing or wrong
     */
    public static ContinuousRunner runnerFromSettings(SparkSession spark, Settings settings) {
        return runnerBuilderFromSettings(spark, settings, Connectors.builtIn()).build();
    }

    /** Like {@link #runnerFromSettings} but returns the builder, for adding a listener or changing a setting in code. */
    public static ContinuousRunner.Builder runnerBuilderFromSettings(SparkSession spark, Settings settings, Connectors connectors) {
        String name = settings.get(ContinuousSettings.NAME);
        String mode = settings.get(ContinuousSettings.MODE);
        String sourceUri = required(settings, ContinuousSettings.SOURCE.name(), settings.get(ContinuousSettings.SOURCE));
        String sinkUri = required(settings, ContinuousSettings.SINK.name(), settings.get(ContinuousSettings.SINK));
        boolean incremental = mode.equals("incremental");
        Map<String, String> sourceOptions = new HashMap<>();
        String column = settings.get(ContinuousSettings.WATERMARK_COLUMN);
        if (column != null) {
            if (!incremental) {
                throw new ConfigurationException(ContinuousSettings.WATERMARK_COLUMN.name() + " and "
                        + ContinuousSettings.MODE.name() + "=available-now exclude each other: Spark's checkpoint tracks what was read");
            }
            sourceOptions.put("watermarkColumn", column);
        }
        Source source = connectors.source(sourceUri, sourceOptions);
        Sink sink = connectors.sink(sinkUri);
        Pipeline.Builder pb = Pipeline.builder(incremental ? PipelineKind.INCREMENTAL : PipelineKind.STREAMING)
                .name(name).source(source).sink(sink);
        String sql = settings.get(ContinuousSettings.SQL);
        if (sql != null && !sql.isBlank()) {
            pb.process(Processor.sql(sql));
        }
        Pipeline pipeline = pb.build();
        ContinuousRunner.Builder rb = ContinuousRunner.builder(spark, pipeline)
                .interval(settings.get(ContinuousSettings.INTERVAL))
                .initialBackoff(settings.get(ContinuousSettings.INITIAL_BACKOFF))
                .maxBackoff(settings.get(ContinuousSettings.MAX_BACKOFF))
                .unreadyAfterFailures(settings.get(ContinuousSettings.UNREADY_AFTER_FAILURES))
                .stopAfterFailures(settings.get(ContinuousSettings.STOP_AFTER_FAILURES));
        String store = settings.get(ContinuousSettings.WATERMARK_STORE);
        String checkpoint = settings.get(ContinuousSettings.CHECKPOINT);
        if (incremental) {
            if (checkpoint != null) {
                throw new ConfigurationException(ContinuousSettings.CHECKPOINT.name() + " and " + ContinuousSettings.MODE.name()
                        + "=incremental exclude each other: the incremental mode keeps its progress in "
                        + ContinuousSettings.WATERMARK_STORE.name());
            }
            rb.watermarkStore(store == null
                    ? new FileWatermarkStore(Path.of("kindling-state", name + ".watermark"))
                    : watermarkStore(store, name));
        } else {
            if (store != null) {
                throw new ConfigurationException(ContinuousSettings.WATERMARK_STORE.name() + " and " + ContinuousSettings.MODE.name()
                        + "=available-now exclude each other: that mode keeps its progress in " + ContinuousSettings.CHECKPOINT.name());
            }
            rb.checkpoint(required(settings, ContinuousSettings.CHECKPOINT.name(), checkpoint))
                    .outputMode(settings.get(ContinuousSettings.OUTPUT_MODE));
        }
        return rb;
    }

    /**
     * A watermark store from a URI: {@code file:/path} or
     * {@code jdbc:...?table=T&user=U&password.env=V} (table default {@code kindling_watermarks}).
     */
    public static WatermarkStore watermarkStore(String uri, String pipelineName) {
        ConnectorUri parsed = ConnectorUri.parse(uri);
        switch (parsed.scheme()) {
            case "file" -> {
                if (!parsed.query().isEmpty()) {
                    throw new ConfigurationException("a file watermark store takes no options; got " + parsed.query().keySet());
                }
                return new FileWatermarkStore(Path.of(parsed.path()));
            }
            case "jdbc" -> {
                Options options = Options.merge(parsed, Map.of());
                for (String k : options.asMap().keySet()) {
                    if (!java.util.Set.of("table", "user", "password", "password.env", "password.file").contains(k)) {
                        throw new ConfigurationException("unknown option '" + k + "' of the JDBC watermark store " + parsed.redacted()
                                + "; accepted: table, user, password, password.env, password.file");
                    }
                }
                String text = parsed.text();
                int q = text.indexOf('?');
                JdbcEndpoint endpoint = new JdbcEndpoint(q < 0 ? text : text.substring(0, q), options.get("user").orElse(null),
                        options.secret("password").orElse(null));
                JdbcWatermarkStore.Builder b = JdbcWatermarkStore.builder(endpoint, pipelineName);
                options.get("table").ifPresent(b::table);
                return b.build();
            }
            default -> throw new ConfigurationException("a watermark store URI starts with file: or jdbc:; got '" + parsed.redacted() + "'");
        }
    }

    private static String required(Settings settings, String name, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("setting " + name + " (environment " + dev.kindling.config.Setting.envNameOf(name)
                    + ") is required");
        }
        return value;
    }

    /**
     * Starts a continuous-batch service from configuration alone; see {@link ContinuousSettings}.
     * Exits 2 with the message when the configuration is wrong.
     */
    public static void main(String[] args) {
        Settings settings = Settings.fromEnvironment();
        ContinuousRunner runner;
        SparkSession spark;
        try {
            String name = settings.get(ContinuousSettings.NAME);
            spark = SparkSessions.create(name, Map.of(), settings);
            runner = runnerFromSettings(spark, settings);
        } catch (ConfigurationException e) {
            LOG.error("configuration error: {}\n{}", e.getMessage(), Settings.describe(ContinuousSettings.class));
            System.exit(2);
            return;
        }
        SparkSession session = spark;
        ControlPlane plane = start(runner, settings, ControlPlane.builder(runner.pipeline().name()).onShutdown("spark", session::stop));
        plane.installShutdownHook();
        plane.awaitShutdown();
    }
}
