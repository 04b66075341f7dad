package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobState;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job records in memory and their retention: every queued and running job is kept; finished ones
 * are kept until there are more than {@code maxRecords} of them or they are older than
 * {@code maxAge}, oldest first. Thread-safe.
 */
final class JobRecords {
    private final Map<String, JobRecord> byId = new ConcurrentHashMap<>();
    private final Deque<JobRecord> finishedOrder = new ArrayDeque<>();
    private final int maxRecords;
    private final Duration maxAge;

    JobRecords(int maxRecords, Duration maxAge) {
        this.maxRecords = maxRecords;
        this.maxAge = maxAge;
    }

    /** A page of a listing and how many jobs match in all. */
    record Page(List<dev.kindling.ondemand.JobStatus> jobs, int total) {
    }

    void add(JobRecord r) {
        byId.put(r.id(), r);
    }

    void remove(JobRecord r) {
        byId.remove(r.id(), r);
    }

    /** Keeps {@code r}, which has ended, until retention drops it. */
    void finished(JobRecord r, Instant now) {
        byId.putIfAbsent(r.id(), r);
        synchronized (finishedOrder) {
            finishedOrder.addLast(r);
        }
        evict(now);
    }

    Optional<JobRecord> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A 404 problem when there is no such job. */
    JobRecord get(String id) {
        JobRecord r = byId.get(id);
        if (r == null) {
            throw new ProblemException(Problem.of(404, "Not Found", "no job has the id '" + id + "'"));
        }
        return r;
    }

    /** Jobs, newest first, filtered by state and name (either may be null); warm-up runs are left out. */
    List<JobRecord> list(JobState state, String name) {
        return byId.values().stream()
                .filter(r -> !r.isWarmUp())
                .filter(r -> name == null || r.name().equals(name))
                .filter(r -> state == null || r.state() == state)
                .sorted(Comparator.comparingLong(JobRecord::seq).reversed())
                .toList();
    }

    Collection<JobRecord> all() {
        return byId.values();
    }

    /** Drops finished records beyond the count or older than the age, oldest first. */
    void evict(Instant now) {
        Instant oldest = now.minus(maxAge);
        synchronized (finishedOrder) {
            while (!finishedOrder.isEmpty()) {
                JobRecord head = finishedOrder.peekFirst();
                Instant f = head.finishedAt();
                if (finishedOrder.size() > maxRecords || (f != null && f.isBefore(oldest))) {
                    finishedOrder.pollFirst();
                    byId.remove(head.id(), head);
                } else {
                    break;
                }
            }
        }
    }
}
