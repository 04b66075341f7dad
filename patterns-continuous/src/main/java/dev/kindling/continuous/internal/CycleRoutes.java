package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleReport;
import dev.kindling.ipp.Failures;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.QueryParams;
import dev.kindling.service.Routes;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The runner's HTTP routes under its prefix: {@code POST /cycles[?wait=30s]}, {@code POST /pause},
 * {@code POST /resume}. Before the runner has started they answer 503; against a stopping, stopped or
 * failed runner, 409. {@code POST /cycles} on a standby replica while another one leads answers 409
 * with the member {@code leader}; pause and resume act on the replica that receives them.
 */
public final class CycleRoutes {
    /** The longest {@code ?wait=}. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    /** How often a waiting request looks whether the service is shutting down. */
    private static final long POLL_MS = 250;

    private final String name;
    private final String prefix;
    private final CycleSupervisor supervisor;

    public CycleRoutes(String name, String prefix, CycleSupervisor supervisor) {
        this.name = name;
        this.prefix = prefix;
        this.supervisor = supervisor;
    }

    /** Adds the routes. */
    public void addTo(Routes routes) {
        routes.post(prefix + "/cycles", "runs a cycle now; ?wait= (up to 10m) answers its report when it ends in time", this::cycles)
                .post(prefix + "/pause", "stops scheduled cycles until /resume; requested cycles still run", ctx -> {
                    call(() -> {
                        supervisor.pause();
                        return null;
                    });
                    ctx.json(state());
                })
                .post(prefix + "/resume", "resumes scheduled cycles; the next starts at once", ctx -> {
                    call(() -> {
                        supervisor.resume();
                        return null;
                    });
                    ctx.json(state());
                });
    }

    private Map<String, Object> state() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("component", name);
        body.put("state", supervisor.state());
        body.put("nextCycleAt", supervisor.nextCycleAt());
        return body;
    }

    private void cycles(Context ctx) throws InterruptedException {
        Duration wait = QueryParams.duration(ctx, "wait", MAX_WAIT);
        CompletableFuture<CycleReport> future = call(supervisor::request);
        ctx.header("Location", "/status");
        if (wait != null) {
            CycleReport report = await(future, wait);
            if (report != null) {
                ctx.status(200).json(report);
                return;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requested", true);
        body.put("status", "/status");
        ctx.status(202).json(body);
    }

    /** The report once the cycle has run, or null when {@code wait} passed or the service began to shut down first. */
    private CycleReport await(CompletableFuture<CycleReport> future, Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (!supervisor.shuttingDown()) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return null;
            }
            try {
                return future.get(Math.min(left, POLL_MS), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // not yet: look again, unless the service is shutting down
            } catch (ExecutionException e) {
                throw ProblemException.conflict(Failures.summary(e.getCause()));
            }
        }
        return null;
    }

    private <T> T call(Supplier<T> action) {
        if (!supervisor.started()) {
            throw new ProblemException(Problem.of(503, "Service Unavailable", "continuous runner '" + name + "' is starting"));
        }
        try {
            return action.get();
        } catch (StandbyException e) {
            throw new ProblemException(Problem.of(409, "Not the leader", e.getMessage()).with("leader", e.leader()));
        } catch (IllegalStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }
}
