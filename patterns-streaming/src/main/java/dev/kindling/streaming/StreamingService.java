package dev.kindling.streaming;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.service.ControlPlane;
import dev.kindling.spark.SparkSessions;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete streaming service from configuration alone: a {@link StreamingRunner} built by
 * {@link StreamingRunner#fromSettings}, a SparkSession from {@link SparkSessions}, and a
 * {@link ControlPlane} with {@code /healthz}, {@code /readyz} (ready while the query runs),
 * {@code /metrics}, {@code /status} and {@code /tables/...}; SIGTERM stops the query gracefully,
 * then Spark.
 *
 * <pre>{@code
 * KINDLING_STREAMING_SOURCE=kafka://127.0.0.1:9092/words \
 * KINDLING_STREAMING_DECODE=text \
 * KINDLING_STREAMING_SQL="SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word" \
 * KINDLING_STREAMING_SINK="table:word_counts?keys=word" \
 * KINDLING_STREAMING_CHECKPOINT=/var/lib/wordcount \
 * spark-submit --class dev.kindling.streaming.StreamingService app.jar
 * }</pre>
 *
 * <p>{@link #start} returns the running service; {@link #main} also blocks until shutdown.
 */
public final class StreamingService {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingService.class);

    private final StreamingRunner runner;
    private final ControlPlane plane;

    private StreamingService(StreamingRunner runner, ControlPlane plane) {
        this.runner = runner;
        this.plane = plane;
    }

    /**
     * Builds and starts the runner and its control plane on {@code spark}.
     *
     * @param stopSpark whether shutting the service down also stops {@code spark}
     */
    public static StreamingService start(SparkSession spark, Settings settings, boolean stopSpark) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(settings, "settings");
        StreamingRunner runner = StreamingRunner.fromSettings(Connectors.builtIn(), settings);
        ControlPlane.Builder b = ControlPlane.builder(runner.name())
                .settings(settings)
                .readiness("query", runner::isReady)
                .routes(StreamingRoutes.of(List.of(runner), settings.get(StreamingSettings.TABLE_MAX_LIMIT)));
        if (stopSpark) {
            b.onShutdown("spark", spark::stop);
        }
        ControlPlane plane = b.onShutdown("query", runner::stop).build();
        runner.bindTo(plane.meterRegistry());
        runner.start(spark);
        try {
            plane.start();
        } catch (RuntimeException e) {
            runner.stop();
            throw e;
        }
        return new StreamingService(runner, plane);
    }

    public StreamingRunner runner() {
        return runner;
    }

    public ControlPlane controlPlane() {
        return plane;
    }

    /** Stops the HTTP server, the query (gracefully) and, if asked at start, Spark. */
    public void shutdown() {
        plane.shutdown();
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            LOG.error("usage: StreamingService   (no arguments; configure with KINDLING_STREAMING_* variables)\n\n{}",
                    Settings.describe(StreamingSettings.class));
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        SparkSession spark = SparkSessions.create(settings.get(StreamingSettings.NAME), java.util.Map.of(), settings);
        StreamingService service = start(spark, settings, true);
        service.controlPlane().installShutdownHook();
        service.controlPlane().awaitShutdown();
    }
}
