package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Who follows one job (event streams, sync waits) and what they are told. Thread-safe; a {@link JobRecord}
 * calls it under its own lock, so events arrive in the order of the changes.
 */
final class JobListeners {
    private final List<Consumer<JobRecord.Event>> listeners = new CopyOnWriteArrayList<>();

    /** The name of the final event of a job that ended in {@code s}: {@code result}, {@code error} or {@code cancelled}. */
    static String finalEvent(JobState s) {
        return switch (s) {
            case SUCCEEDED -> "result";
            case FAILED -> "error";
            default -> "cancelled";
        };
    }

    void add(Consumer<JobRecord.Event> listener) {
        listeners.add(listener);
    }

    void remove(Consumer<JobRecord.Event> listener) {
        listeners.remove(listener);
    }

    /** Tells every listener of a change of {@code type}; the status is made only when someone listens. */
    void send(String type, Supplier<JobStatus> status) {
        if (listeners.isEmpty()) {
            return;
        }
        JobStatus s = status.get();
        for (Consumer<JobRecord.Event> l : listeners) {
            l.accept(new JobRecord.Event(type, s));
        }
    }

    /** Tells every listener that the job ended ({@code state}, then its final event) and forgets them all. */
    void ended(JobStatus status) {
        for (Consumer<JobRecord.Event> l : listeners) {
            l.accept(new JobRecord.Event("state", status));
            l.accept(new JobRecord.Event(finalEvent(status.state()), status));
        }
        listeners.clear();
    }
}
