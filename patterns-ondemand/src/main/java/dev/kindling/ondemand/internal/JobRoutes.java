package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.QueryParams;
import dev.kindling.service.Routes;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The HTTP API of the on-demand pattern, under a prefix: {@code POST /jobs/{name}}, {@code GET /jobs},
 * {@code GET /jobs/{id}}, {@code DELETE /jobs/{id}}, {@code GET /jobs/{id}/events} (Server-Sent Events)
 * and the sync GET routes. Handlers called before the engine runs answer 503.
 */
public final class JobRoutes {
    private static final int MAX_LIST = 100;
    private static final Duration WAIT_SLICE = Duration.ofMillis(100);
    /** How long past its bound a sync GET waits for the job's timeout to end it, before cancelling it itself. */
    private static final Duration SYNC_SLACK = Duration.ofSeconds(2);

    /** What the routes serve from, once the component has started. */
    public interface Running {
        JobEngine engine();

        EventStreams events();

        /** Where reads that may go to the job store run, off the request threads. */
        Executor reads();
    }

    private final Supplier<Running> running;
    private final String prefix;
    private final Map<String, String> syncRoutes;
    private final String warmUpKey;

    /**
     * @param running   the started component's parts; throws a 503 {@link ProblemException} before the start
     * @param syncRoutes path (under the prefix) to job name
     * @param warmUpKey the value of {@link WarmUp#HEADER} that marks this service's own warm-up submissions
     */
    public JobRoutes(Supplier<Running> running, String prefix, Map<String, String> syncRoutes, String warmUpKey) {
        this.running = running;
        this.prefix = prefix;
        this.syncRoutes = Map.copyOf(syncRoutes);
        this.warmUpKey = warmUpKey;
    }

    public void register(Routes r) {
        r.post(prefix + "/jobs/{name}", "submits a job with the body as its params: 202 and Location; ?wait= answers the job when it ends in time; ?timeout=", this::submit);
        r.get(prefix + "/jobs", "lists jobs, newest first: ?state=, ?name=, ?limit= (1..100), ?offset=", ctx -> offThread(ctx, this::list));
        r.get(prefix + "/jobs/{id}", "a job: state, progress, result or error",
                ctx -> offThread(ctx, c -> c.json(engine().status(c.pathParam("id")))));
        r.delete(prefix + "/jobs/{id}", "cancels a job: 200 CANCELLED, or 202 CANCELLING while its code has not returned; 409 when it has ended",
                ctx -> offThread(ctx, c -> {
                    JobStatus s = engine().cancel(c.pathParam("id")).snapshot();
                    c.status(s.state() == JobState.CANCELLING ? 202 : 200).json(s);
                }));
        r.sse(prefix + "/jobs/{id}/events", "pushes a job's state and progress, then its result, error or cancellation", ctx -> engine().get(ctx.pathParam("id")), this::events);
        syncRoutes.forEach((path, name) -> r.get(prefix + path, "runs the job " + name + " with the query parameters as params and answers its result",
                ctx -> sync(ctx, name)));
    }

    /**
     * An unknown id was answered 404 before the stream opened; a job that went away since (evicted)
     * gets one {@code problem} event.
     */
    private void events(SseClient client) {
        try {
            Running parts = running.get();
            String id = client.ctx().pathParam("id");
            parts.events().open(client, parts.engine().get(id));
        } catch (ProblemException e) {
            client.sendEvent("problem", e.problem().toMap());
            client.close();
        }
    }

    private JobEngine engine() {
        return running.get().engine();
    }

    /**
     * Runs {@code handler} on the reads executor when a read may go to the job store (a shared store), so no
     * request thread waits for the database; else at once, on the request thread, as the answer is in memory.
     */
    private void offThread(Context ctx, Handler handler) throws Exception {
        Running parts = running.get();
        if (!parts.engine().readsStore()) {
            handler.handle(ctx);
            return;
        }
        ctx.future(() -> CompletableFuture.runAsync(() -> {
            try {
                handler.handle(ctx);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, parts.reads()));
    }

    /**
     * POST /jobs/{name}. Without {@code ?wait=} the request thread does no I/O: the checks run on it, and the 202 is
     * sent when the job store (if any) has committed the job, from the thread that wrote it. With {@code ?wait=} the
     * caller waits for the job on its request thread anyway ({@code kindling.http.max-waiting} bounds those).
     */
    private void submit(Context ctx) throws InterruptedException {
        JobEngine jobs = engine();
        String name = ctx.pathParam("name");
        jobs.definition(name);
        Duration timeout = QueryParams.duration(ctx, "timeout", jobs.config().maxTimeout());
        Duration wait = QueryParams.duration(ctx, "wait", jobs.config().maxWait());
        JsonNode params = ParamsBinder.parseBody(ctx.body());
        String trigger = warmUpKey.equals(ctx.header(WarmUp.HEADER)) ? JobStatus.WARM_UP : JobStatus.HTTP;
        CompletableFuture<JobRecord> accepted = submitOr429(ctx, jobs, name, params, timeout, trigger);
        if (wait == null) {
            if (accepted.isDone() && !accepted.isCompletedExceptionally()) {
                accepted(ctx, accepted.join()); // no store: nothing to hand off
            } else {
                ctx.future(() -> accepted.thenAccept(r -> accepted(ctx, r)));
            }
            return;
        }
        JobRecord r = joined(accepted);
        JobStatus done = await(jobs, r, wait);
        if (done != null) {
            ctx.status(200).json(done);
            return;
        }
        accepted(ctx, r);
    }

    /** The accepted job, waiting for the store's commit; the failure's own problem (503) when it failed. */
    private static JobRecord joined(CompletableFuture<JobRecord> accepted) {
        try {
            return accepted.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private void accepted(Context ctx, JobRecord r) {
        JobStatus s = r.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", s.id());
        body.put("name", s.name());
        body.put("state", s.state().name());
        body.put("submittedAt", s.submittedAt().toString());
        ctx.status(202).header("Location", prefix + "/jobs/" + s.id()).json(body);
    }

    /**
     * A sync GET: the job runs at most its own timeout or the service's max wait, whichever is shorter; when it has not
     * ended by then (queued too long, or code that ignores its timeout), it is cancelled and the caller gets 504.
     */
    private void sync(Context ctx, String name) throws InterruptedException {
        JobEngine jobs = engine();
        Duration own = jobs.definition(name).timeout();
        Duration bound = own != null && own.compareTo(jobs.config().maxWait()) < 0 ? own : jobs.config().maxWait();
        JsonNode params = ParamsBinder.fromQuery(ctx.queryParamMap());
        JobRecord r = joined(submitOr429(ctx, jobs, name, params, bound, JobStatus.HTTP));
        JobStatus done = await(jobs, r, bound.plus(SYNC_SLACK));
        boolean outlived = done == null;
        if (outlived) {
            try {
                jobs.cancel(r.id());
            } catch (ProblemException ended) {
                // it ended between the wait and the cancel: answer what it became
            }
            done = await(jobs, r, WAIT_SLICE);
        }
        if (done == null) {
            throw new ProblemException(Problem.of(504, "Gateway Timeout", "job " + r.id() + " (" + name + ") did not end within "
                    + dev.kindling.config.Setting.formatDuration(bound) + ", the bound of a GET; it is being cancelled. For longer work POST /jobs/" + name
                    + " and follow the job").with("jobId", r.id()));
        }
        switch (done.state()) {
            case SUCCEEDED -> ctx.status(200).json(done.result());
            case FAILED -> throw new ProblemException(Problem.of("timeout".equals(done.error().type()) ? 504 : 500,
                    "Job failed", "job " + done.id() + " (" + name + ") failed: " + done.error().type() + ": " + done.error().message())
                    .with("jobId", done.id()).with("error", done.error().type()));
            default -> throw new ProblemException(outlived
                    ? Problem.of(504, "Gateway Timeout", "job " + done.id() + " (" + name + ") did not end within "
                            + dev.kindling.config.Setting.formatDuration(bound) + ", the bound of a GET, and was cancelled. For longer work "
                            + "POST /jobs/" + name + " and follow the job").with("jobId", done.id())
                    : Problem.of(409, "Conflict", "job " + done.id() + " was cancelled").with("jobId", done.id()));
        }
    }

    private static CompletableFuture<JobRecord> submitOr429(Context ctx, JobEngine jobs, String name, JsonNode params, Duration timeout,
                                                            String trigger) {
        try {
            return jobs.submitAsync(name, params, timeout, trigger);
        } catch (ProblemException e) {
            if (e.problem().status() == 429) {
                ctx.header("Retry-After", String.valueOf(e.problem().extra().get("retryAfterSeconds")));
            }
            throw e;
        }
    }

    /** The job's end, or null when it does not end within {@code wait} or the service begins to shut down. */
    private static JobStatus await(JobEngine jobs, JobRecord r, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || jobs.shuttingDown()) {
                return null;
            }
            try {
                return r.done().get(Math.min(left, WAIT_SLICE.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // wait on, unless the service is shutting down
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + r.id() + " record completed exceptionally", e.getCause());
            }
        }
    }

    private void list(Context ctx) {
        JobEngine jobs = engine();
        JobState state = stateParam(ctx);
        String name = ctx.queryParam("name");
        int limit = QueryParams.integer(ctx, "limit", 20, 1, MAX_LIST);
        int offset = QueryParams.integer(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        JobRecords.Page page = jobs.list(state, name == null || name.isBlank() ? null : name, limit, offset);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", page.jobs());
        body.put("total", page.total());
        body.put("offset", offset);
        body.put("limit", limit);
        String next = null;
        if ((long) offset + limit < page.total()) {
            StringBuilder b = new StringBuilder(prefix).append("/jobs?offset=").append(offset + limit).append("&limit=").append(limit);
            if (state != null) {
                b.append("&state=").append(state);
            }
            if (name != null && !name.isBlank()) {
                b.append("&name=").append(URLEncoder.encode(name, StandardCharsets.UTF_8));
            }
            next = b.toString();
        }
        body.put("next", next);
        ctx.json(body);
    }

    private static JobState stateParam(Context ctx) {
        String s = ctx.queryParam("state");
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return JobState.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = Arrays.toString(JobState.values());
            throw QueryParams.invalid("state", allowed, "'state' is '" + s + "'; allowed: " + allowed);
        }
    }
}
