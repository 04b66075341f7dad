package dev.kindling.bench.streaming;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.ComponentState;
import dev.kindling.service.ComponentStatus;
import dev.kindling.service.KindlingService;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * A Kindling service running one stateless streaming pipeline, as an app would: Kafka topic → {@code RecordDecoder.text()}
 * → {@code SELECT key, upper(value) AS value FROM input} → Kafka topic (the key kept, so that {@link KafkaLoad} can
 * match each output record to its send), a {@link StreamingRunner} with the given trigger as the service's one
 * component, on a shared SparkSession, its HTTP server on a free port of {@code 127.0.0.1}.
 *
 * <pre>{@code
 * try (UpperService s = UpperService.start(spark, bootstrap, "rt-1", StreamTrigger.realTime(Duration.ofSeconds(5)), checkpoint, "in", "out")) {
 *     ...   // load the input topic
 *     s.check();   // throws when the runner failed or is recovering from an error
 * }
 * }</pre>
 */
final class UpperService implements AutoCloseable {
    /** The pipeline's processor: stateless, so real-time mode can run it. */
    static final String SQL = "SELECT key, upper(value) AS value FROM input";

    private final KindlingService service;
    private final String name;

    private UpperService(KindlingService service, String name) {
        this.service = service;
        this.name = name;
    }

    /**
     * Starts the service; returns once its query has started.
     *
     * @param name       the pipeline's (and query's) name: letters, digits, {@code -}, {@code _}
     * @param checkpoint a folder of its own (a fresh one per run)
     */
    static UpperService start(SparkSession spark, String bootstrap, String name, StreamTrigger trigger, Path checkpoint,
                              String input, String output) {
        Connectors c = Connectors.builtIn();
        String uri = "kafka://" + bootstrap + "/";
        Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name(name)
                .source(c.source(uri + input))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(SQL))
                .sink(c.sink(uri + output))
                .build();
        StreamingRunner runner = StreamingRunner.builder(pipeline).checkpoint(checkpoint.toString()).trigger(trigger).build();
        KindlingService service = KindlingService.builder("bench-realtime").spark(spark)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .component(runner)
                .start();
        UpperService s = new UpperService(service, name);
        try {
            s.check();
        } catch (RuntimeException e) {
            service.shutdown();
            throw e;
        }
        return s;
    }

    /** Throws when the runner is not running cleanly: failed, recovering, or with an error since it started. */
    void check() {
        ComponentStatus s = service.status().components().get(name);
        if (s.state() != ComponentState.RUNNING || s.lastError() != null) {
            throw new IllegalStateException("pipeline " + name + " is " + s.state() + (s.lastError() == null ? "" : ": " + s.lastError()));
        }
    }

    @Override
    public void close() {
        service.shutdown();
    }
}
