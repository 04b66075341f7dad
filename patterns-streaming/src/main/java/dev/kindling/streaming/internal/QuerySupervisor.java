package dev.kindling.streaming.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.ipp.KindlingException;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ComponentState;
import java.time.Duration;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a runner's supervisor thread ({@code kindling-NAME-supervisor}, made with
 * {@link ComponentContext#newThread}): it waits for the queries to end and decides what follows.
 *
 * <ul>
 *   <li>An available-now run that ended without an error: COMPLETED.</li>
 *   <li>A query that died of an {@link Error} (Spark hands it over wrapped in its own exceptions): the
 *       Error is thrown again on this thread, so the component is FAILED with it.</li>
 *   <li>A {@link dev.kindling.ipp.ConfigurationException} anywhere in the cause chain: FAILED at once.</li>
 *   <li>Any other failure: reported as the last error; RECOVERING for a backoff with full jitter (grown
 *       with each failure in a row without a micro-batch in between), then the queries restart from their
 *       checkpoints; more than {@code maxRestarts} such failures in a row: FAILED.</li>
 * </ul>
 */
public final class QuerySupervisor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(QuerySupervisor.class);

    private final String name;
    private final StreamingQueries queries;
    private final SparkSession spark;
    private final ComponentContext context;
    private final StreamingMetrics metrics;
    private final StopSignal signal;
    private final Backoff backoff;
    private final int maxRestarts;
    private final boolean availableNow;
    private final Runnable completed;
    private Throwable startFailure;
    private long progressAtStart;

    /**
     * @param startFailure what the first start of the queries threw (then the supervisor begins by backing off), or null
     * @param completed    called when an available-now run has ended without an error
     */
    public QuerySupervisor(String name, StreamingQueries queries, ComponentContext context, StreamingMetrics metrics, StopSignal signal,
                           Backoff backoff, int maxRestarts, boolean availableNow, Runnable completed, Throwable startFailure) {
        this.name = name;
        this.queries = queries;
        this.spark = context.spark();
        this.context = context;
        this.metrics = metrics;
        this.signal = signal;
        this.backoff = backoff;
        this.maxRestarts = maxRestarts;
        this.availableNow = availableNow;
        this.completed = completed;
        this.startFailure = startFailure;
        this.progressAtStart = metrics.progressEvents();
    }

    @Override
    public void run() {
        int failuresInARow = 0;
        try {
            while (!signal.isRequested()) {
                Throwable failure = startFailure != null ? startFailure : awaitEnd();
                startFailure = null;
                if (failure == null) {
                    return; // stopped, or completed
                }
                failuresInARow = metrics.progressEvents() > progressAtStart ? 1 : failuresInARow + 1;
                if (!recover(failure, failuresInARow)) {
                    return;
                }
                restart();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the queries to end; returns what they failed with, or null when the runner is done. */
    private Throwable awaitEnd() throws InterruptedException {
        queries.awaitEnd(signal);
        if (signal.isRequested()) {
            return null;
        }
        Throwable failure = queries.failure();
        queries.stopNow();
        if (failure == null && availableNow) {
            LOG.info("streaming query '{}' processed everything available and stopped", name);
            completed.run();
            context.moveTo(ComponentState.COMPLETED);
            return null;
        }
        return failure != null ? failure : new KindlingException("query '" + name + "' was stopped outside its runner");
    }

    /** Decides after a failure; returns whether to restart (after the backoff, which has passed then). */
    private boolean recover(Throwable failure, int failuresInARow) throws InterruptedException {
        Optional<Error> error = Failures.find(failure, Error.class);
        if (error.isPresent()) {
            throw error.get(); // a query that died of an Error is fatal: the component moves to FAILED with it
        }
        Throwable cause = unwrap(failure);
        if (Failures.isConfiguration(cause)) {
            context.fail(cause);
            return false;
        }
        context.reportError(cause);
        if (failuresInARow > maxRestarts) {
            context.fail(new KindlingException("query '" + name + "' failed " + failuresInARow + " time(s) in a row without a "
                    + "micro-batch in between; giving up (max restarts " + maxRestarts + "): " + Failures.summary(cause), cause));
            return false;
        }
        Duration wait = backoff.delay(failuresInARow);
        context.moveTo(ComponentState.RECOVERING);
        LOG.warn("streaming query '{}' failed (failure {} in a row): {}; restarting from its checkpoint in {} ms", name, failuresInARow,
                Failures.summary(cause), wait.toMillis(), failure);
        return !signal.sleep(wait);
    }

    private void restart() {
        metrics.restarted();
        progressAtStart = metrics.progressEvents();
        try {
            if (queries.start(spark)) {
                context.moveTo(ComponentState.RUNNING);
            }
        } catch (RuntimeException e) {
            startFailure = e;
        }
    }

    /**
     * The failure without Spark's wrappers (the query's {@code StreamingQueryException}, the foreachBatch
     * wrapper), so that the last error reads as what went wrong.
     */
    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && isSparkWrapper(t)) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isSparkWrapper(Throwable t) {
        String n = t.getClass().getName();
        return n.equals("org.apache.spark.sql.streaming.StreamingQueryException")
                || n.equals("org.apache.spark.sql.execution.streaming.sources.ForeachBatchUserFuncException");
    }
}
