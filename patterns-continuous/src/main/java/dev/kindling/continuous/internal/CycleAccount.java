package dev.kindling.continuous.internal;

import dev.kindling.connect.JdbcLease;
import dev.kindling.continuous.CommittedBatch;
import dev.kindling.continuous.ContinuousStatus;
import dev.kindling.continuous.CycleListener;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.ipp.Failures;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cycle body at a time and keeps the books: the cycle's {@link CycleReport}, the runner's
 * totals, the committed batch, the failures in a row, the meters and the listener's
 * {@code afterCycle}. It decides nothing about what happens next (that is the
 * {@link CycleSupervisor}'s job).
 *
 * <p>Thread-safe: {@link #run} is serialised (cycles never overlap, whichever thread runs them); the
 * totals are read from any thread.
 */
public final class CycleAccount {
    private static final Logger LOG = LoggerFactory.getLogger(CycleAccount.class);

    /** A finished cycle: its report, and the failure when it failed (never an {@link Error}: those are thrown). */
    public record Result(CycleReport report, RuntimeException error) {
    }

    private final String name;
    private final CycleListener listener;
    private final Object mutex = new Object();
    private volatile ContinuousMeters meters;

    private long sequence; // guarded by mutex
    private volatile boolean running;
    private volatile CycleReport lastCycle;
    private volatile CommittedBatch committed;
    private volatile int consecutiveFailures;
    private volatile Instant lastSuccessStart;
    private volatile long cycles;
    private volatile long rowsRead;
    private volatile long rowsWritten;
    private volatile long deadLetters;

    public CycleAccount(String name, CycleListener listener) {
        this.name = name;
        this.listener = listener;
    }

    /** Records every later cycle in {@code meters}. */
    public void bind(ContinuousMeters meters) {
        this.meters = meters;
    }

    /**
     * Runs {@code body} under {@code fence} (waiting while another cycle runs) and books it. A
     * {@link RuntimeException} of the body is booked and returned (as {@link CycleOutcome#ABANDONED}
     * when the fence's grant is lost or the commit was refused for it); an {@link Error} is booked and thrown.
     */
    public Result run(CycleBody body, Fence fence) {
        synchronized (mutex) {
            long seq = ++sequence;
            Instant started = Instant.now();
            long t0 = System.nanoTime();
            CycleAttempt a = new CycleAttempt(fence);
            RuntimeException error = null;
            Error fatal = null;
            running = true;
            try {
                body.run(a, listener);
            } catch (RuntimeException e) {
                error = e;
            } catch (Error e) {
                fatal = e;
            } finally {
                running = false;
            }
            Throwable failure = fatal != null ? fatal : error;
            if (error != null && (Failures.find(error, JdbcLease.LeaseLostException.class).isPresent() || fence.lost())) {
                a.outcome = CycleOutcome.ABANDONED;
                LOG.info("continuous runner '{}': cycle {} (batch {}) abandoned, nothing committed: this replica lost the lease ({})",
                        name, seq, a.batchId, Failures.summary(error));
            } else if (failure != null) {
                a.outcome = CycleOutcome.FAILED;
                LOG.warn("continuous runner '{}': cycle {} (batch {}) failed ({}); nothing was committed",
                        name, seq, a.batchId, kind(failure), failure);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            CycleReport report = new CycleReport(seq, a.batchId, a.outcome, started, ms, a.from, a.upTo, a.rowsRead, a.rowsWritten,
                    a.deadLetters, failure == null ? null : Failures.summary(failure));
            book(report, a);
            if (fatal != null) {
                throw fatal;
            }
            return new Result(report, error);
        }
    }

    private static String kind(Throwable failure) {
        if (failure instanceof Error) {
            return "an Error: the runner fails";
        }
        return switch (Failures.classify(failure)) {
            case CONFIGURATION -> "a configuration error: not retried, the runner fails";
            case TRANSIENT -> "transient";
            case PERMANENT -> "may need a fix";
        };
    }

    private void book(CycleReport report, CycleAttempt a) {
        if (a.committedKnown) {
            committed = a.committed;
        }
        if (report.outcome() == CycleOutcome.FAILED) {
            consecutiveFailures++;
        } else if (report.outcome() != CycleOutcome.ABANDONED) {
            consecutiveFailures = 0;
            lastSuccessStart = report.startedAt();
            if (report.outcome() == CycleOutcome.PUBLISHED) {
                LOG.info("continuous runner '{}': batch {} published in {} ms: {} row(s) read, {} written, {} dead letter(s){}", name,
                        a.batchId, report.durationMs(), count(a.rowsRead), count(a.rowsWritten), count(a.deadLetters),
                        a.upTo == null ? "" : ", watermark " + a.from + " -> " + a.upTo);
            }
        }
        cycles++;
        rowsRead += Math.max(0, a.rowsRead);
        rowsWritten += Math.max(0, a.rowsWritten);
        deadLetters += Math.max(0, a.deadLetters);
        lastCycle = report;
        ContinuousMeters m = meters;
        if (m != null) {
            m.record(report);
        }
        try {
            listener.afterCycle(report);
        } catch (RuntimeException e) {
            LOG.error("continuous runner '{}': a CycleListener's afterCycle threw; the cycle's result stands", name, e);
        }
    }

    private static String count(long n) {
        return n < 0 ? "?" : Long.toString(n);
    }

    /** Whether a cycle body runs now. */
    public boolean running() {
        return running;
    }

    /** Failed cycles since the last successful one. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The last cycle's report, or null. */
    public CycleReport lastCycle() {
        return lastCycle;
    }

    /**
     * Now minus the newest committed watermark's time for a timestamp watermark; for other
     * watermarks, now minus the start of the last successful cycle (everything older was read then);
     * NaN before any.
     */
    public double lagSeconds() {
        CommittedBatch c = committed;
        Instant newest = c == null ? null : c.watermark().instant().orElse(null);
        if (newest == null) {
            newest = lastSuccessStart;
        }
        return newest == null ? Double.NaN : Duration.between(newest, Instant.now()).toMillis() / 1000.0;
    }

    /** The runner's status details with the given mode, interval, next cycle time and replica role. */
    public ContinuousStatus status(String mode, String interval, Instant nextCycleAt, Leadership leadership) {
        return new ContinuousStatus(mode, interval, committed, lastCycle, nextCycleAt, consecutiveFailures, cycles, rowsRead,
                rowsWritten, deadLetters, leadership.role(), leadership.replicaId(), leadership.leader());
    }
}
