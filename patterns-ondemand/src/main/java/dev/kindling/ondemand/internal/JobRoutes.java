package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.config.Setting;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.Progress;
import dev.kindling.service.ControlPlane;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** The HTTP API of the on-demand pattern over a {@link JobManager}. */
public final class JobRoutes {
    private static final ObjectMapper JSON = ControlPlane.json();
    private static final int MAX_LIST = 100;

    private final JobManager jobs;

    public JobRoutes(JobManager jobs) {
        this.jobs = jobs;
    }

    public void register(RoutesConfig r) {
        r.post("/jobs/{name}", this::submit);
        r.get("/jobs", this::list);
        r.get("/jobs/{id}", ctx -> ctx.json(view(jobs.get(ctx.pathParam("id")).snapshot())));
        r.delete("/jobs/{id}", ctx -> ctx.json(view(jobs.cancel(ctx.pathParam("id")).snapshot())));
        r.get("/jobs/{id}/events", this::events);
    }

    /** A GET route at {@code path} that runs job {@code name} with the query parameters as params and answers its result. */
    public void registerSync(RoutesConfig r, String path, String name) {
        r.get(path, ctx -> sync(ctx, name));
    }

    private void submit(Context ctx) throws Exception {
        String name = ctx.pathParam("name");
        jobs.definition(name);
        Duration timeout = duration(ctx, "timeout", jobs.config().maxTimeout());
        Duration wait = duration(ctx, "wait", jobs.config().maxWait());
        JsonNode params = ParamsBinder.parseBody(ctx.body());
        JobRecord r = submitOr429(ctx, name, params, timeout);
        if (wait != null) {
            JobStatus done = await(r, wait);
            if (done != null) {
                ctx.status(200).json(view(done));
                return;
            }
        }
        JobStatus s = r.snapshot();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", s.id());
        body.put("name", s.name());
        body.put("state", s.state().name());
        body.put("submittedAt", s.submittedAt().toString());
        ctx.status(202).header("Location", "/jobs/" + s.id()).json(body);
    }

    private void sync(Context ctx, String name) throws Exception {
        JsonNode params = ParamsBinder.fromQuery(ctx.queryParamMap());
        JobRecord r = submitOr429(ctx, name, params, null);
        JobStatus done = await(r, jobs.config().maxWait());
        if (done == null) {
            ctx.status(202).header("Location", "/jobs/" + r.id()).json(view(r.snapshot()));
            return;
        }
        switch (done.state()) {
            case SUCCEEDED -> ctx.status(200).json(done.result());
            case FAILED -> throw new ProblemException(Problem.of("timeout".equals(done.error().type()) ? 504 : 500,
                    "Job failed", "job " + done.id() + " (" + name + ") failed: " + done.error().type() + ": " + done.error().message())
                    .with("jobId", done.id()).with("error", done.error().type()));
            default -> throw new ProblemException(Problem.of(409, "Conflict", "job " + done.id() + " was cancelled")
                    .with("jobId", done.id()));
        }
    }

    private JobRecord submitOr429(Context ctx, String name, JsonNode params, Duration timeout) {
        try {
            return jobs.submit(name, params, timeout);
        } catch (ProblemException e) {
            if (e.problem().status() == 429) {
                ctx.header("Retry-After", String.valueOf(e.problem().extra().get("retryAfterSeconds")));
            }
            throw e;
        }
    }

    private static JobStatus await(JobRecord r, Duration wait) throws InterruptedException {
        try {
            return r.done().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("job " + r.id() + " record completed exceptionally", e.getCause());
        }
    }

    private void list(Context ctx) {
        JobState state = null;
        String s = ctx.queryParam("state");
        if (s != null && !s.isBlank()) {
            try {
                state = JobState.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("state", Arrays.toString(JobState.values()), "'state' is '" + s + "'; allowed: "
                        + Arrays.toString(JobState.values()));
            }
        }
        String name = ctx.queryParam("name");
        int limit = intParam(ctx, "limit", 20, 1, MAX_LIST);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        List<JobRecord> all = jobs.list(state, name == null || name.isBlank() ? null : name);
        ArrayNode page = JSON.createArrayNode();
        for (int i = offset; i < all.size() && i < offset + limit; i++) {
            page.add(view(all.get(i).snapshot()));
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("jobs", page);
        body.put("total", all.size());
        body.put("offset", offset);
        body.put("limit", limit);
        if (offset + limit < all.size()) {
            StringBuilder next = new StringBuilder("/jobs?offset=").append(offset + limit).append("&limit=").append(limit);
            if (state != null) {
                next.append("&state=").append(state);
            }
            if (name != null && !name.isBlank()) {
                next.append("&name=").append(java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
            }
            body.put("next", next.toString());
        } else {
            body.putNull("next");
        }
        ctx.json(body);
    }

    private void events(Context ctx) throws IOException, InterruptedException {
        JobRecord r = jobs.get(ctx.pathParam("id"));
        LinkedBlockingQueue<JobRecord.Event> events = new LinkedBlockingQueue<>();
        Consumer<JobRecord.Event> listener = events::add;
        JobStatus now = r.subscribe(listener);
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        try {
            send(out, "state", now);
            if (now.state().isFinal()) {
                send(out, finalEvent(now.state()), now);
                return;
            }
            while (true) {
                JobRecord.Event e = events.poll(15, TimeUnit.SECONDS);
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    continue;
                }
                send(out, e.type(), e.status());
                if (!e.type().equals("state") && !e.type().equals("progress")) {
                    return;
                }
            }
        } finally {
            r.unsubscribe(listener);
        }
    }

    private static String finalEvent(JobState s) {
        return switch (s) {
            case SUCCEEDED -> "result";
            case FAILED -> "error";
            default -> "cancelled";
        };
    }

    private static void send(OutputStream out, String event, JobStatus s) throws IOException {
        JsonNode data = event.equals("progress") ? progress(s.progress()) : view(s);
        String text = "event: " + event + "\ndata: " + JSON.writeValueAsString(data) + "\n\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The JSON of a job as every route shows it. */
    public static ObjectNode view(JobStatus s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", s.id());
        n.put("name", s.name());
        n.put("state", s.state().name());
        n.put("submittedAt", s.submittedAt().toString());
        n.put("startedAt", s.startedAt() == null ? null : s.startedAt().toString());
        n.put("finishedAt", s.finishedAt() == null ? null : s.finishedAt().toString());
        if (s.startedAt() != null && s.finishedAt() != null) {
            n.put("durationMs", Duration.between(s.startedAt(), s.finishedAt()).toMillis());
        }
        n.set("progress", progress(s.progress()));
        if (s.result() != null) {
            n.set("result", s.result());
        }
        if (s.error() != null) {
            ObjectNode e = n.putObject("error");
            e.put("type", s.error().type());
            e.put("message", s.error().message());
        }
        return n;
    }

    private static ObjectNode progress(Progress p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("stagesCompleted", p.stagesCompleted());
        n.put("stagesTotal", p.stagesTotal());
        n.put("tasksCompleted", p.tasksCompleted());
        n.put("tasksTotal", p.tasksTotal());
        n.put("percent", p.percent());
        if (p.message() != null) {
            n.put("message", p.message());
        }
        return n;
    }

    private static Duration duration(Context ctx, String param, Duration max) {
        String raw = ctx.queryParam(param);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Duration d;
        try {
            d = Setting.parseDuration(raw);
        } catch (IllegalArgumentException e) {
            throw invalid(param, "a duration from 1ms to " + max + " such as 500ms, 10s, 5m", "'" + param + "' is '" + raw
                    + "'; expected a duration such as 500ms, 10s, 5m");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            throw invalid(param, "1ms.." + max.toMillis() + "ms", "'" + param + "' is " + raw + "; allowed: more than 0 and at most "
                    + max.toMillis() + " ms");
        }
        return d;
    }

    private static int intParam(Context ctx, String param, int def, int min, int max) {
        String raw = ctx.queryParam(param);
        if (raw == null || raw.isBlank()) {
            return def;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the problem below
        }
        throw invalid(param, min + ".." + max, "'" + param + "' is '" + raw + "'; allowed: " + min + ".." + max);
    }

    private static ProblemException invalid(String field, String allowed, String detail) {
        return new ProblemException(Problem.of(400, "Invalid params", detail).with("field", field).with("allowed", allowed));
    }
}
