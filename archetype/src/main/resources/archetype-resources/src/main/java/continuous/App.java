package ${package};

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The service: {@link Conversion}'s pipeline run by a continuous runner, a cycle every
 * {@link AppSettings#INTERVAL}, behind one control plane.
 *
 * <pre>
 * mvn -q compile exec:exec                     # local Spark, http://localhost:8080 (PORT changes it)
 * echo '{"id": 1, "customer": "Ada", "amount": 12.5}' > data/landing/orders-1.json
 * curl -X POST 'localhost:8080/cycles?wait=60s'    # a cycle now, and its report
 * </pre>
 *
 * <p>Settings: {@link AppSettings}, {@code PORT} and the rest of kindling-core's service settings, the
 * continuous runner's ({@code KINDLING_CONTINUOUS_START_PAUSED}, ...), {@code SPARK_MASTER}.
 */
public final class App {
    private App() {
    }

    // tag::service[]
    /** The service, not started: one continuous runner over the folders of {@code settings}. */
    public static KindlingService.Builder service(Settings settings) throws IOException {
        Path landing = Files.createDirectories(Path.of(settings.get(AppSettings.LANDING)));
        return KindlingService.builder("${artifactId}")
                .settings(settings)
                .component(Conversion.runner(landing, Path.of(settings.get(AppSettings.OUTPUT)),
                        Path.of(settings.get(AppSettings.CHECKPOINT))).interval(settings.get(AppSettings.INTERVAL)).build());
    }
    // end::service[]

    public static void main(String[] args) throws IOException {
        service(Settings.fromEnvironment()).run();
    }
}
