package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobState;
import dev.kindling.service.ComponentMeters;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one job, tagged {@code pipeline} = the job's name: what was submitted, rejected,
 * finished (by state) and how long it ran, what waits and runs now, the store's failures and the
 * schedule's skipped runs. Every counter is registered at 0 when the service starts, so that
 * {@code /metrics} lists it before the first job. Thread-safe.
 */
final class JobMeters {
    private final ComponentMeters meters;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final Counter submitted;
    private final Counter rejected;
    private final Counter storeFailures;
    private final Counter scheduleSkipped;

    JobMeters(ComponentMeters component, String job) {
        this.meters = component.forPipeline(job);
        meters.gauge("jobs.queued", "jobs waiting for a worker", queued, AtomicInteger::get);
        meters.gauge("jobs.running", "jobs running now", running, AtomicInteger::get);
        this.submitted = meters.counter("jobs.submitted", "jobs accepted (HTTP, in-process and scheduled; not warm-up runs)");
        this.rejected = meters.counter("jobs.rejected", "submissions refused because the queue was full");
        this.storeFailures = meters.counter("store.failures", "job state changes the durable job store failed to save (retries not counted)");
        this.scheduleSkipped = meters.counter("schedule.skipped",
                "scheduled runs skipped because the previous scheduled run of the job was still queued or running");
        for (JobState s : JobState.values()) {
            if (s.isFinal()) {
                finishedCounter(s);
            }
        }
    }

    AtomicInteger queued() {
        return queued;
    }

    AtomicInteger running() {
        return running;
    }

    void submitted() {
        submitted.increment();
    }

    void rejected() {
        rejected.increment();
    }

    void storeFailed() {
        storeFailures.increment();
    }

    void scheduleSkipped() {
        scheduleSkipped.increment();
    }

    /** Counts a job that ended in {@code state}; {@code ran} is its run time, or null when it never started. */
    void finished(JobState state, Duration ran) {
        finishedCounter(state).increment();
        if (ran != null) {
            meters.timer("jobs.duration", "run time of finished jobs", "state", state.name()).record(ran);
        }
    }

    private Counter finishedCounter(JobState state) {
        return meters.counter("jobs.finished", "jobs ended, by final state", "state", state.name());
    }
}
