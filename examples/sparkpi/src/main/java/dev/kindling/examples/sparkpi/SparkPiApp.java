package dev.kindling.examples.sparkpi;

import dev.kindling.config.Settings;
import dev.kindling.ondemand.InvalidParamsException;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobService;
import dev.kindling.service.KindlingService;
import dev.kindling.service.Routes;
import dev.kindling.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SparkPi as an on-demand service: one warm SparkSession answers every request.
 *
 * <pre>
 * bin/run-example sparkpi                                   # serves on PORT (default 8080)
 * curl 'localhost:8080/sparkpi?samples=1000000&amp;partitions=4'   # sync: {"pi":3.14...,"samples":1000000,...}
 * curl -XPOST localhost:8080/jobs/sparkpi -H 'Content-Type: application/json' -d '{"samples":10000000000,"partitions":100}'   # async: 202 + Location
 * spark-submit --class dev.kindling.examples.sparkpi.SparkPiApp kindling-example-sparkpi-app.jar --once 100000
 * </pre>
 *
 * <p>Arguments: none (serve), or {@code --once N [P]} to estimate once with N samples in P partitions,
 * print the result as JSON and exit (what a spark-submit per request does). Settings:
 * {@link SparkPiSettings}, {@link dev.kindling.ondemand.OnDemandSettings},
 * {@link dev.kindling.service.ServiceSettings}.
 */
public final class SparkPiApp {
    /** The job's name: {@code POST /jobs/sparkpi}. */
    public static final String JOB = "sparkpi";
    private static final Logger LOG = LoggerFactory.getLogger(SparkPiApp.class);

    private SparkPiApp() {
    }

    // tag::job[]
    /** The job with the bounds from {@code settings}, warmed up with a small estimate before readiness. */
    public static JobDefinition<SparkPi.Params, SparkPi.Result> job(Settings settings) {
        long maxSamples = settings.get(SparkPiSettings.MAX_SAMPLES);
        int maxPartitions = settings.get(SparkPiSettings.MAX_PARTITIONS);
        return JobDefinition.builder(JOB, SparkPi.Params.class,
                        (ctx, p) -> SparkPi.estimate(ctx.spark(), p.samples(), p.partitions(), p.seed()))
                .validator(p -> p.check(maxSamples, maxPartitions))
                .warmUp(new SparkPi.Params(SparkPi.Params.DEFAULT_SAMPLES, SparkPi.Params.DEFAULT_PARTITIONS, null))
                .readOnly() // it only computes: GET /sparkpi may run it
                .build();
    }

    /** The on-demand component: the job, and {@code GET /sparkpi} answering it synchronously. */
    public static JobService jobs(Settings settings) {
        return JobService.builder(JOB).job(job(settings)).syncRoute("/sparkpi", JOB).build();
    }
    // end::job[]

    /** The banner at {@code /}: what the service is and its links. */
    public static void banner(Routes routes) {
        routes.get("/", "what this service is and the routes to try", ctx -> {
            Map<String, Object> banner = new LinkedHashMap<>();
            banner.put("service", "sparkpi");
            banner.put("about", "Monte Carlo estimate of Pi on a warm SparkSession");
            banner.put("links", Map.of(
                    "sync", "GET /sparkpi?samples=100000&partitions=2",
                    "async", "POST /jobs/sparkpi {\"samples\": N, \"partitions\": P}",
                    "jobs", "GET /jobs",
                    "health", "GET /healthz",
                    "ready", "GET /readyz",
                    "status", "GET /status",
                    "metrics", "GET /metrics"));
            ctx.json(banner);
        });
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--once")) {
            once(args);
            return;
        }
        if (args.length > 0) {
            LOG.error("usage: SparkPiApp              serve on PORT (default 8080)\n"
                    + "       SparkPiApp --once N [P]  estimate once with N samples in P partitions and exit");
            System.exit(2);
        }
        // tag::main[]
        Settings settings = Settings.fromEnvironment();
        KindlingService.builder(JOB).settings(settings).component(jobs(settings)).routes(SparkPiApp::banner).run();
        // end::main[]
    }

    private static void once(String[] args) {
        long n;
        int p;
        try {
            n = args.length > 1 ? Long.parseLong(args[1]) : SparkPi.Params.DEFAULT_SAMPLES;
            p = args.length > 2 ? Integer.parseInt(args[2]) : SparkPi.Params.DEFAULT_PARTITIONS;
        } catch (NumberFormatException e) {
            LOG.error("N and P must be whole numbers: --once N [P]");
            System.exit(2);
            return;
        }
        Settings settings = Settings.fromEnvironment();
        try {
            new SparkPi.Params(n, p, null).check(settings.get(SparkPiSettings.MAX_SAMPLES), settings.get(SparkPiSettings.MAX_PARTITIONS));
        } catch (InvalidParamsException e) {
            LOG.error("--once {} {}: {}", n, p, e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSessions.create(JOB);
        try {
            SparkPi.Result r = SparkPi.estimate(spark, n, p, null);
            System.out.println("{\"pi\":" + r.pi() + ",\"samples\":" + r.samples() + ",\"partitions\":" + r.partitions()
                    + ",\"seed\":" + r.seed() + ",\"durationMs\":" + r.durationMs() + "}");
        } finally {
            spark.stop();
        }
    }
}
