package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The live, mutable record of one job. State changes are atomic under the record's lock; listeners
 * are told of every change in order, from the thread that made it (they must not block).
 */
public final class JobRecord {
    /** What listeners receive: {@code state}, {@code progress}, or the final {@code result}/{@code error}/{@code cancelled}. */
    public record Event(String type, JobStatus status) {
    }

    private final String id;
    private final String name;
    private final long seq;
    private final JobDefinition<?, ?> definition;
    private final Object params;
    private final String paramsJson;
    private final Duration timeout;
    private final Instant submittedAt;
    private final CompletableFuture<JobStatus> done = new CompletableFuture<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean slotReleased = new AtomicBoolean();

    private JobState state;
    private Instant startedAt;
    private Instant finishedAt;
    private Progress progress = Progress.NONE;
    private Double ownFraction;
    private String ownMessage;
    private JsonNode result;
    private JobError error;
    private volatile Future<?> timeoutTask;

    JobRecord(String id, String name, long seq, JobDefinition<?, ?> definition, Object params, String paramsJson,
              Duration timeout, Instant submittedAt) {
        this.id = id;
        this.name = name;
        this.seq = seq;
        this.definition = definition;
        this.params = params;
        this.paramsJson = paramsJson;
        this.timeout = timeout;
        this.submittedAt = submittedAt;
        this.state = JobState.QUEUED;
    }

    /** A record restored from the store in a final state. */
    static JobRecord finished(JobStatus s, String paramsJson, Duration timeout, long seq) {
        JobRecord r = new JobRecord(s.id(), s.name(), seq, null, null, paramsJson, timeout, s.submittedAt());
        r.state = s.state();
        r.startedAt = s.startedAt();
        r.finishedAt = s.finishedAt();
        r.result = s.result();
        r.error = s.error();
        if (s.state() == JobState.SUCCEEDED) {
            r.progress = new Progress(0, 0, 0, 0, 100.0, null);
        }
        r.done.complete(r.snapshot());
        return r;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    long seq() {
        return seq;
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

    Instant submittedAt() {
        return submittedAt;
    }

    /** Completes with the final status, after it was saved to the store (if any). */
    public CompletableFuture<JobStatus> done() {
        return done;
    }

    boolean releaseSlotOnce() {
        return slotReleased.compareAndSet(false, true);
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

    /** QUEUED → RUNNING; false when the job already ended (cancelled while queued). */
    synchronized boolean start(Instant now) {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.RUNNING;
        startedAt = now;
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
        this.state = finalState;
        this.finishedAt = now;
        this.result = result;
        this.error = error;
        if (finalState == JobState.SUCCEEDED) {
            progress = new Progress(progress.stagesTotal(), progress.stagesTotal(), progress.tasksTotal(), progress.tasksTotal(),
                    100.0, ownMessage);
        }
        JobStatus snapshot = snapshot();
        for (Consumer<Event> l : listeners) {
            l.accept(new Event("state", snapshot));
            l.accept(new Event(switch (finalState) {
                case SUCCEEDED -> "result";
                case FAILED -> "error";
                default -> "cancelled";
            }, snapshot));
        }
        listeners.clear();
        return true;
    }

    /** Completes {@link #done()}; called once the final state is saved, so waiters see a durable end. */
    void completeDone() {
        done.complete(snapshot());
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
        update(new Progress(stagesCompleted, stagesTotal, tasksCompleted, tasksTotal, 0, null));
    }

    private void update(Progress spark) {
        double percent;
        if (ownFraction != null) {
            percent = ownFraction * 100.0;
        } else {
            percent = spark.tasksTotal() == 0 ? 0.0 : 100.0 * spark.tasksCompleted() / spark.tasksTotal();
        }
        percent = Math.round(percent * 10.0) / 10.0;
        Progress next = new Progress(spark.stagesCompleted(), spark.stagesTotal(), spark.tasksCompleted(), spark.tasksTotal(),
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
        if (listeners.isEmpty()) {
            return;
        }
        JobStatus snapshot = snapshot();
        for (Consumer<Event> l : listeners) {
            l.accept(new Event(type, snapshot));
        }
    }

    public synchronized JobStatus snapshot() {
        return new JobStatus(id, name, state, submittedAt, startedAt, finishedAt, progress, result, error);
    }
}
