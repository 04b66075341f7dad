package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentState;
import dev.kindling.service.Health;
import dev.kindling.service.Json;
import dev.kindling.service.ServiceSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up before readiness: a first Spark query, then each job that has warm-up params submitted
 * up to {@value #MAX_RUNS} times (at least twice, the repeats within {@link #REPEATS}) through the service's own
 * HTTP API over the loopback ({@code POST <prefix>/jobs/<name>?wait=...}),
 * so the request path (HTTP, params binding, queue, worker, Spark, JSON) is warm before the first
 * user request; then the job list. Warm-up runs are marked with a header that only this process knows,
 * and are neither counted, stored nor listed. On a cluster (a master other than {@code local[...]}) only
 * the driver is warmed: a query without tasks and the job list, so readiness never waits for executors.
 *
 * <p><b>Threads.</b> {@link #run} on the component's {@code warm-up} thread. A failure that may pass
 * (a dependency that is away) moves the component to RECOVERING and is tried again after the backoff;
 * any other moves it to FAILED. {@link #health} and {@link #stop} from any thread.
 */
public final class WarmUp implements Runnable {
    /** The header that marks a warm-up submission; its value is the service's own key. */
    public static final String HEADER = "Kindling-Warm-Up";
    /**
     * The most runs of each job. The first loads classes and compiles Spark's generated code; the next ones let the JIT
     * compile the request path. After one run, or three, or ten within 2 s, the first requests after readiness were
     * still about twice as slow as later ones (bench/ondemand: 2.1 to 2.2 times the steady time); with up to 30 runs
     * within 4 s, 1.47 times.
     */
    static final int MAX_RUNS = 30;
    /** How long a job's runs after its first may take in all: a slow job is run twice, not thirty times. */
    static final Duration REPEATS = Duration.ofSeconds(4);
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    private final ComponentContext context;
    private final JobEngine engine;
    private final List<JobDefinition<?, ?>> jobs;
    private final String prefix;
    private final String key;
    private final Backoff backoff;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean done;
    private volatile String step = "starting";

    public WarmUp(ComponentContext context, JobEngine engine, List<JobDefinition<?, ?>> jobs, String prefix, String key) {
        this.context = context;
        this.engine = engine;
        this.jobs = List.copyOf(jobs);
        this.prefix = prefix;
        this.key = key;
        this.backoff = engine.config().backoff();
    }

    /** Up once the warm-up ran; until then down, saying which step it is at. */
    public Health health() {
        return done ? Health.up() : Health.down("warming up: " + step);
    }

    public boolean done() {
        return done;
    }

    /** Ends the warm-up (and its retries) early. */
    public void stop() {
        stopped.countDown();
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        int failures = 0;
        while (stopped.getCount() > 0 && !context.shuttingDown()) {
            try {
                warm();
                done = true;
                context.clearError();
                context.moveTo(ComponentState.RUNNING);
                LOG.info("{} warmed up in {} ms: ready", context.componentName(), (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stopped.getCount() == 0 || context.shuttingDown()) {
                    return;
                }
                if (Failures.classify(e) != Failures.Kind.TRANSIENT) {
                    context.fail(e);
                    return;
                }
                failures++;
                Duration wait = backoff.delay(failures);
                LOG.warn("{}: the warm-up failed ({}); trying again in {} ms", context.componentName(), Failures.summary(e), wait.toMillis());
                context.reportError(e);
                context.moveTo(ComponentState.RECOVERING);
                try {
                    if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void warm() throws IOException, InterruptedException {
        if (!context.spark().sparkContext().isLocal()) {
            // On a cluster, readiness must not wait for executors (with dynamic allocation an idle service holds
            // none): a query the driver answers alone (no tasks), then the job API; the jobs are not run.
            step = "a first Spark query in the driver";
            context.spark().sql("SELECT 1").collectAsList();
            step = "the job API";
            send(HttpRequest.newBuilder(uri("/jobs?limit=1")).GET());
            LOG.info("{}: on a cluster the warm-up runs no job (it would wait for executors)", context.componentName());
            return;
        }
        step = "a first Spark query";
        context.spark().range(0, 1000, 1, 2).selectExpr("sum(id)").collectAsList();
        List<JobDefinition<?, ?>> warmed = jobs.stream().filter(j -> j.warmUpParams() != null).toList();
        for (int i = 0; i < warmed.size(); i++) {
            JobDefinition<?, ?> def = warmed.get(i);
            long repeatsFrom = 0;
            for (int run = 1; run <= MAX_RUNS && (run <= 2 || System.nanoTime() - repeatsFrom < REPEATS.toNanos()); run++) {
                step = "job '" + def.name() + "' (" + (i + 1) + " of " + warmed.size() + ", run " + run + ")";
                runThroughHttp(def);
                if (run == 1) {
                    repeatsFrom = System.nanoTime();
                }
            }
        }
        step = "the job API";
        send(HttpRequest.newBuilder(uri("/jobs?limit=1")).GET());
    }

    private void runThroughHttp(JobDefinition<?, ?> def) throws IOException, InterruptedException {
        String path = "/jobs/" + def.name() + "?wait=" + engine.config().maxWait().toMillis() + "ms";
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header(HEADER, key).POST(HttpRequest.BodyPublishers.ofString(ParamsBinder.toJson(def.warmUpParams()))));
        if (r.statusCode() != 200 && r.statusCode() != 202) {
            throw new IllegalStateException("the warm-up request POST " + prefix + path + " answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode job = Json.mapper().readTree(r.body());
        String id = job.get("id").asText();
        JobStatus end;
        try {
            end = engine.get(id).done().get(); // interruptible: stop() interrupts this thread
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the warm-up run of job '" + def.name() + "' has no end", e.getCause());
        }
        if (r.statusCode() == 202) {
            send(HttpRequest.newBuilder(uri("/jobs/" + id)).GET());
        }
        if (end.error() != null) {
            Throwable thrown = engine.get(id).failure();
            throw new IllegalStateException("the warm-up run of job '" + def.name() + "' failed: " + end.error().type() + ": "
                    + end.error().message(), thrown);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        String token = context.settings().get(ServiceSettings.AUTH_TOKEN);
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        Duration timeout = engine.config().maxWait().plusSeconds(30);
        return client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        String host = context.settings().get(ServiceSettings.HOST);
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + context.port() + prefix + path);
    }
}
