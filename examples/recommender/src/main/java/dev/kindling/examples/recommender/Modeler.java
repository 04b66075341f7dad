package dev.kindling.examples.recommender;

import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The modeler: a continuous-batch runner whose source is the new rows of {@code ratings} (watermark
 * column {@code id}), whose sink is a {@link ModelTrainer}, and whose watermark lives in the same
 * database, committed together with the {@code models} row.
 *
 * <pre>{@code
 * ContinuousRunner modeler = Modeler.runner(endpoint, "/var/lib/recommender/models",
 *         new AlsParams(10, 10, 0.1, 42), Duration.ofSeconds(30)).build();
 * KindlingService.builder("modeler").component(modeler).run();
 * }</pre>
 */
public final class Modeler {
    private Modeler() {
    }

    /** A runner builder (add a listener or change the backoff before {@code build()}). */
    public static ContinuousRunner.Builder runner(JdbcEndpoint db, String modelsDir, AlsParams params, Duration interval) {
        StringBuilder uri = new StringBuilder(db.url()).append(db.url().contains("?") ? "&" : "?")
                .append("table=ratings&watermarkColumn=id");
        if (db.user() != null) {
            uri.append("&user=").append(URLEncoder.encode(db.user(), StandardCharsets.UTF_8));
        }
        if (db.password() != null) {
            uri.append("&password=").append(URLEncoder.encode(db.password().reveal(), StandardCharsets.UTF_8));
        }
        // tag::modeler[]
        ModelTrainer trainer = new ModelTrainer(db, modelsDir, params);
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name("modeler")
                .source(Connectors.builtIn().source(uri.toString()))
                .sink(trainer)
                .build();
        return ContinuousRunner.builder(pipeline)
                .watermarkStore(JdbcWatermarkStore.builder(db, "modeler").inSameTransaction(trainer.modelsRow()).build())
                .interval(interval);
        // end::modeler[]
    }
}
