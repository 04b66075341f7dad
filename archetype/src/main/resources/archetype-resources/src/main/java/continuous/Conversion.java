package ${package};

import dev.kindling.connect.Connectors;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import java.nio.file.Path;

/**
 * The pipeline of this service: JSON-lines order files dropped into a landing folder become Parquet;
 * orders with a negative amount are left out.
 *
 * <pre>{@code
 * ContinuousRunner runner = Conversion.runner(Path.of("data/landing"), Path.of("data/orders"), Path.of("data/checkpoint")).build();
 * KindlingService.builder("orders").component(runner).run();
 * // then: spark.read().parquet("data/orders") has id, customer, amount
 * }</pre>
 *
 * <p>Each cycle reads only the files that are new since the last one (Spark's checkpoint remembers
 * them) and appends them to {@code OUTPUT} with Spark's file sink, which lists every file it wrote in
 * {@code OUTPUT/_spark_metadata}: a cycle that runs again after a crash does not write its files twice,
 * so every order lands once.
 */
public final class Conversion {
    /** The schema of the landing files, one JSON object per line. */
    public static final String SCHEMA = "id BIGINT, customer STRING, amount DOUBLE";

    private Conversion() {
    }

    // tag::pipeline[]
    /** Landing JSON lines → valid orders → Parquet. */
    public static Pipeline pipeline(Path landing, Path output) {
        Connectors c = Connectors.builtIn();
        return Pipeline.builder(PipelineKind.STREAMING)
                .name("orders")
                .source(c.source("file:" + landing.toAbsolutePath() + "?format=json&schema=" + SCHEMA))
                .process(Processor.sql("SELECT id, lower(customer) AS customer, amount FROM input WHERE amount >= 0"))
                .sink(c.sink("file:" + output.toAbsolutePath() + "?format=parquet"))
                .build();
    }
    // end::pipeline[]

    /** A runner of the pipeline, its progress in Spark's checkpoint; set the interval and build. */
    public static ContinuousRunner.Builder runner(Path landing, Path output, Path checkpoint) {
        return ContinuousRunner.builder(pipeline(landing, output)).checkpoint(checkpoint.toAbsolutePath().toString());
    }
}
