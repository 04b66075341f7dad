package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ondemand.JobAttempt;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobProgress;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The live, mutable record of one job. State changes are atomic under the record's lock; listeners
 * are told of every change in order, from the thread that made it (they must not block). The job's
 * queued/running gauges follow its state changes.
 */
public final class JobRecord {
    /** What listeners receive: {@code state}, {@code progress}, or the final {@code result}/{@code error}/{@code cancelled}. */
    public record Event(String type, JobStatus status) {
    }

    /** Where the record was when it was made. */
    record Origin(String id, String name, long seq, String trigger, Instant submittedAt) {
    }

    private final Origin origin;
    private JobDefinition<?, ?> definition;
    private Object params;
    private final String paramsJson;
    private final Duration timeout;
    private volatile JobMeters meters;
    private final CompletableFuture<JobStatus> done = new CompletableFuture<>();
    private final JobListeners listeners = new JobListeners();
    private final AtomicBoolean slotReleased = new AtomicBoolean();

    private JobState state = JobState.QUEUED;
    private Instant startedAt;
    private Instant finishedAt;
    private JobProgress progress = JobProgress.NONE;
    private Double ownFraction;
    private String ownMessage;
    private JsonNode result;
    private JobError error;
    private String storeError;
    private Throwable failure;
    private volatile Future<?> timeoutTask;
    private volatile Thread worker;
    private JobState pendingState;
    private JobError pendingError;
    /** The attempts the store recorded (with a shared store), and the one this replica runs (0: none). */
    private List<JobAttempt> attempts = List.of();
    private int attempt;

    JobRecord(Origin origin, JobDefinition<?, ?> definition, Object params, String paramsJson, Duration timeout, JobMeters meters) {
        this.origin = origin;
        this.definition = definition;
        this.params = params;
        this.paramsJson = paramsJson;
        this.timeout = timeout;
        this.meters = meters;
    }

    /** A record restored from the store in a final state. */
    static JobRecord finished(JobStore.StoredJob stored, long seq) {
        JobRecord r = restored(stored, seq);
        if (stored.status().state() == JobState.SUCCEEDED && stored.status().progress().equals(JobProgress.NONE)) {
            r.progress = new JobProgress(0, 0, 0, 0, 100.0, null);
        }
        return r;
    }

    /**
     * A record of a job as the shared store holds it, in any state: a copy that {@link #mirror} keeps up to
     * date while another replica runs the job. Its {@link #done()} completes when it is final.
     */
    static JobRecord restored(JobStore.StoredJob stored, long seq) {
        JobStatus s = stored.status();
        JobRecord r = new JobRecord(new Origin(s.id(), s.name(), seq, s.trigger(), s.submittedAt()), null, null, stored.paramsJson(),
                Duration.ofMillis(stored.timeoutMillis()), null);
        r.copy(s);
        r.storeError = s.storeError();
        if (s.state().isFinal()) {
            r.done.complete(r.snapshot());
        }
        return r;
    }

    /**
     * This replica claimed the job from the shared store as {@code attempt}: the record becomes QUEUED
     * here (whatever a mirror last showed), runs with {@code definition} and {@code params}, and is no longer
     * a mirror. False when it has already ended.
     */
    synchronized boolean claimed(int attempt, List<JobAttempt> attempts, JobDefinition<?, ?> definition, Object params,
                                 JobMeters meters) {
        if (state.isFinal()) {
            return false;
        }
        this.meters = meters;
        this.attempt = attempt;
        this.attempts = List.copyOf(attempts);
        this.definition = definition;
        this.params = params;
        this.state = JobState.QUEUED;
        this.startedAt = null;
        this.progress = JobProgress.NONE;
        return true;
    }

    /** The attempt this replica runs (claimed from the shared store), 0 when it runs none. */
    synchronized int attempt() {
        return attempt;
    }

    /**
     * Takes the state another replica (or a sweep) saved in the shared store, telling listeners of what
     * changed; does nothing to a record this replica runs or that has ended. Returns whether it is final now.
     */
    synchronized boolean mirror(JobStatus s) {
        if (attempt > 0 || state.isFinal()) {
            return state.isFinal();
        }
        boolean moved = s.state() != state;
        boolean progressed = !s.progress().equals(progress);
        copy(s);
        if (state.isFinal()) {
            JobStatus snapshot = snapshot();
            listeners.ended(snapshot);
            done.complete(snapshot);
            return true;
        }
        if (moved) {
            notifyListeners("state");
        } else if (progressed) {
            notifyListeners("progress");
        }
        return false;
    }

    /** Takes the state, times, progress, result, error and attempts of {@code s}. */
    private void copy(JobStatus s) {
        state = s.state();
        startedAt = s.startedAt();
        finishedAt = s.finishedAt();
        progress = s.progress();
        result = s.result();
        error = s.error();
        attempts = s.attempts();
    }

    public String id() {
        return origin.id();
    }

    public String name() {
        return origin.name();
    }

    public String trigger() {
        return origin.trigger();
    }

    long seq() {
        return origin.seq();
    }

    JobDefinition<?, ?> definition() {
        return definition;
    }

    Object params() {
        return params;
    }

    String paramsJson() {
        return paramsJson;
    }

    Duration timeout() {
        return timeout;
    }

    /** The job's meters; null for records restored in a final state. */
    JobMeters meters() {
        return meters;
    }

    boolean isWarmUp() {
        return JobStatus.WARM_UP.equals(origin.trigger());
    }

    /** Completes with the final status, after it was saved to the store (if any). */
    public CompletableFuture<JobStatus> done() {
        return done;
    }

    boolean releaseSlotOnce() {
        return slotReleased.compareAndSet(false, true);
    }

    /** The thread that runs the job's code, while it runs it (null otherwise). */
    void worker(Thread thread) {
        this.worker = thread;
    }

    /** Whether this replica's worker runs the job's code now. */
    boolean runsHere() {
        return worker != null;
    }

    /** Interrupts the job's own thread, if its code still runs. */
    void interruptWorker() {
        java.util.Optional.ofNullable(worker).ifPresent(Thread::interrupt);
    }

    void timeoutTask(Future<?> task) {
        this.timeoutTask = task;
    }

    Future<?> timeoutTask() {
        return timeoutTask;
    }

    public synchronized JobState state() {
        return state;
    }

    synchronized Instant finishedAt() {
        return finishedAt;
    }

    /** What the job threw, when it failed by throwing; for the warm-up's classification. */
    synchronized Throwable failure() {
        return failure;
    }

    /** QUEUED → RUNNING; false when the job already ended (cancelled while queued). */
    synchronized boolean start(Instant now) {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.RUNNING;
        startedAt = now;
        if (meters != null) {
            meters.queued().decrementAndGet();
            meters.running().incrementAndGet();
        }
        notifyListeners("state");
        return true;
    }

    /**
     * Ends the job; false when it had already ended (the first end wins: a job that was cancelled or
     * timed out stays so even when its code returns later).
     */
    synchronized boolean finish(JobState finalState, JsonNode result, JobError error, Instant now) {
        if (state.isFinal()) {
            return false;
        }
        if (state == JobState.CANCELLING) { // the end decided when the job was cancelled wins over what its code did afterwards
            finalState = pendingState;
            result = null;
            error = pendingError;
        }
        if (meters != null) {
            (state == JobState.QUEUED ? meters.queued() : meters.running()).decrementAndGet();
        }
        this.state = finalState;
        this.finishedAt = now;
        this.result = result;
        this.error = error;
        if (attempt > 0 && !attempts.isEmpty()) { // the attempt this replica ran ends with the job
            List<JobAttempt> ended = new java.util.ArrayList<>(attempts);
            ended.add(ended.remove(ended.size() - 1).ended(finalState.name()));
            attempts = List.copyOf(ended);
        }
        if (finalState == JobState.SUCCEEDED) {
            progress = new JobProgress(progress.stagesTotal(), progress.stagesTotal(), progress.tasksTotal(), progress.tasksTotal(),
                    100.0, ownMessage);
        }
        listeners.ended(snapshot());
        return true;
    }

    /**
     * RUNNING → CANCELLING: the job is to end in {@code end} (with {@code error}) as soon as its code
     * returns. False when it was not running (queued jobs end at once through {@link #finish}).
     */
    synchronized boolean cancelling(JobState end, JobError error) {
        if (state != JobState.RUNNING) {
            return false;
        }
        state = JobState.CANCELLING;
        pendingState = end;
        pendingError = error;
        notifyListeners("state");
        return true;
    }

    /** Ends a job whose code never returned, in the end decided when it was cancelled (a shutdown abandons its thread). */
    synchronized boolean abandon(Instant now) {
        return state == JobState.CANCELLING && finish(pendingState, null, pendingError, now);
    }

    /** QUEUED → {@code end} at once; false when the job is no longer queued. */
    synchronized boolean finishIfQueued(JobState end, Instant now) {
        return state == JobState.QUEUED && finish(end, null, null, now);
    }

    /** Ends the job FAILED because it threw {@code thrown}; false when it had already ended. */
    synchronized boolean fail(JobError error, Throwable thrown, Instant now) {
        if (state.isFinal()) {
            return false;
        }
        this.failure = thrown;
        return finish(JobState.FAILED, null, error, now);
    }

    /** Completes {@link #done()}; called once the final state is saved, so waiters see a durable end (or its store error). */
    void completeDone() {
        done.complete(snapshot());
    }

    /** Records why the store does not hold this job's latest state; null once a save succeeded. */
    synchronized void storeError(String message) {
        this.storeError = message;
    }

    synchronized String storeError() {
        return storeError;
    }

    synchronized void ownProgress(double fraction, String message) {
        if (state != JobState.RUNNING) {
            return;
        }
        ownFraction = Math.max(0.0, Math.min(1.0, fraction));
        ownMessage = message;
        update(progress);
    }

    /** Sets the progress from Spark's tracker (combined with the job's own report); tells listeners when it changed. */
    synchronized void sparkProgress(int stagesCompleted, int stagesTotal, int tasksCompleted, int tasksTotal) {
        if (state != JobState.RUNNING) {
            return;
        }
        update(new JobProgress(stagesCompleted, stagesTotal, tasksCompleted, tasksTotal, 0, null));
    }

    private void update(JobProgress spark) {
        double percent;
        if (ownFraction != null) {
            percent = ownFraction * 100.0;
        } else {
            percent = spark.tasksTotal() == 0 ? 0.0 : 100.0 * spark.tasksCompleted() / spark.tasksTotal();
        }
        percent = Math.round(percent * 10.0) / 10.0;
        JobProgress next = new JobProgress(spark.stagesCompleted(), spark.stagesTotal(), spark.tasksCompleted(), spark.tasksTotal(),
                percent, ownMessage);
        if (!next.equals(progress)) {
            progress = next;
            notifyListeners("progress");
        }
    }

    /**
     * Adds a listener and returns the status at that moment, atomically: the listener sees every change
     * after the returned snapshot. A listener added to an ended job is not kept.
     */
    synchronized JobStatus subscribe(Consumer<Event> listener) {
        if (!state.isFinal()) {
            listeners.add(listener);
        }
        return snapshot();
    }

    void unsubscribe(Consumer<Event> listener) {
        listeners.remove(listener);
    }

    private void notifyListeners(String type) {
        listeners.send(type, this::snapshot);
    }

    public synchronized JobStatus snapshot() {
        return new JobStatus(origin.id(), origin.name(), state, origin.trigger(), origin.submittedAt(), startedAt, finishedAt, progress,
                result, error, storeError, attempts);
    }

    /** The record as the store keeps it. */
    JobStore.StoredJob stored() {
        return new JobStore.StoredJob(snapshot(), paramsJson, timeout.toMillis());
    }
}
