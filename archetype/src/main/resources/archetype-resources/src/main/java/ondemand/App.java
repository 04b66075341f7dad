package ${package};

import dev.kindling.config.Settings;
import dev.kindling.ondemand.JobService;
import dev.kindling.service.KindlingService;

/**
 * The service: the job {@link WordCount#job()} behind the on-demand job API, on one warm SparkSession.
 *
 * <pre>
 * mvn -q compile exec:exec                     # local Spark, http://localhost:8080 (PORT changes it)
 * curl -X POST 'localhost:8080/jobs/words?wait=30s' -H 'Content-Type: application/json' -d '{"text": "To be, or not to be"}'
 * </pre>
 *
 * <p>Settings come from the environment: {@code PORT} and the rest of kindling-core's service settings,
 * the on-demand settings ({@code KINDLING_ONDEMAND_WORKERS}, ...), {@code SPARK_MASTER}.
 */
public final class App {
    private App() {
    }

    // tag::service[]
    /** The service, not started: one on-demand component serving the job. */
    public static KindlingService.Builder service(Settings settings) {
        return KindlingService.builder("${artifactId}")
                .settings(settings)
                .component(JobService.builder(WordCount.JOB).job(WordCount.job()).build());
    }

    public static void main(String[] args) {
        service(Settings.fromEnvironment()).run();
    }
    // end::service[]
}
