package dev.kindling.streaming.internal;

import dev.kindling.connect.JdbcLease;
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
 *
 * <p><b>Replicas.</b> With a lease ({@link Leadership#replicated()}) the thread first waits until this replica
 * holds it, then starts the queries and supervises them as above. When the lease is lost (the keeper wakes the
 * thread), it stops serving the tables, stops the queries at once, and waits for the lease again: the replica is
 * a standby, RUNNING and ready. When the queries end for good (FAILED, COMPLETED, a fatal {@link Error}) the
 * lease is given up, so another replica can take over.
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
    private final Leadership leadership;
    private Throwable startFailure;
    private long progressAtStart;
    private JdbcLease.Grant grant; // the grant the queries run under; null without a lease

    /**
     * @param leadership   with a lease, the supervisor starts the queries itself once it holds it; without, the runner has
     *                     started them already
     * @param startFailure what the runner's start of the queries threw (then the supervisor begins by backing off), or null
     * @param completed    called when an available-now run has ended without an error
     */
    public QuerySupervisor(String name, StreamingQueries queries, ComponentContext context, StreamingMetrics metrics, StopSignal signal,
                           Backoff backoff, int maxRestarts, boolean availableNow, Runnable completed, Leadership leadership,
                           Throwable startFailure) {
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
        this.leadership = leadership;
        this.startFailure = startFailure;
        this.progressAtStart = metrics.progressEvents();
    }

    @Override
    public void run() {
        Error fatal = null;
        try {
            if (leadership.replicated()) {
                lead();
            } else {
                supervise(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            fatal = e;
            throw e;
        } finally {
            if (!signal.isRequested()) {
                leadership.resign(fatal != null ? "a query died of " + fatal
                        : "the runner's queries have ended for good (state " + context.state() + ")");
            }
        }
    }

    /** With a lease: waits for it, runs the queries while it is held, and waits again after losing it. */
    private void lead() throws InterruptedException {
        while (!signal.isRequested()) {
            Optional<JdbcLease.Grant> g = leadership.awaitGrant(signal);
            if (g.isEmpty()) {
                return;
            }
            progressAtStart = metrics.progressEvents();
            startFailure = start(g.get());
            if (!supervise(g.get())) {
                return;
            }
        }
    }

    /** Starts the queries under {@code g}; returns what the start threw, or null. */
    private RuntimeException start(JdbcLease.Grant g) {
        try {
            if (queries.start(spark)) {
                leadership.serving(g);
                context.moveTo(ComponentState.RUNNING);
            }
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * Watches the queries, restarting them after failures, while {@code g} is held (null: without a lease).
     *
     * @return true when the grant was lost (the queries are stopped then), false when the runner is done
     */
    private boolean supervise(JdbcLease.Grant g) throws InterruptedException {
        this.grant = g;
        int failuresInARow = 0;
        while (!signal.isRequested()) {
            Throwable failure = startFailure != null ? startFailure : awaitEnd();
            startFailure = null;
            if (lost()) {
                stepDown();
                return true;
            }
            if (failure == null) {
                return false; // stopped, or completed
            }
            failuresInARow = metrics.progressEvents() > progressAtStart ? 1 : failuresInARow + 1;
            if (!recover(failure, failuresInARow)) {
                return false;
            }
            if (lost()) {
                stepDown();
                return true;
            }
            restart();
        }
        return false;
    }

    private boolean lost() {
        return grant != null && !signal.isRequested() && !leadership.holds(grant);
    }

    /** The grant is lost: the tables stop answering, the queries stop at once, the replica is a (ready) standby again. */
    private void stepDown() {
        leadership.stepDown();
        queries.stopNow();
        context.moveTo(ComponentState.RUNNING);
        LOG.warn("streaming query '{}' stopped: this replica no longer holds the lease (token {}); waiting for it again", name,
                grant.token());
    }

    /** Waits for the queries to end; returns what they failed with, or null when the runner is done or the grant was lost. */
    private Throwable awaitEnd() throws InterruptedException {
        queries.awaitEnd(signal, () -> !lost());
        if (signal.isRequested() || lost()) {
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
        return !sleep(wait);
    }

    /** Waits the backoff unless a stop is requested or the grant is lost first; returns whether a stop was requested. */
    private boolean sleep(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        for (long left = wait.toNanos(); !signal.isRequested() && !lost() && left > 0; left = end - System.nanoTime()) {
            signal.await(Duration.ofNanos(left));
        }
        return signal.isRequested();
    }

    private void restart() {
        metrics.restarted();
        progressAtStart = metrics.progressEvents();
        startFailure = grant == null ? startSolo() : start(grant);
    }

    private RuntimeException startSolo() {
        try {
            if (queries.start(spark)) {
                context.moveTo(ComponentState.RUNNING);
            }
            return null;
        } catch (RuntimeException e) {
            return e;
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
