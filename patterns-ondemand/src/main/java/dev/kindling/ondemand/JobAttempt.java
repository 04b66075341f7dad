package dev.kindling.ondemand;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt to run a job: a replica claimed it from the PostgreSQL job store and ran it under a lease.
 * A job whose replica died is claimed again (up to {@code kindling.ondemand.max-attempts}); each claim is
 * one attempt, so a job's code never runs without an attempt that names the replica.
 *
 * <pre>{@code
 * JobStatus s = jobs.status(id).orElseThrow();
 * boolean retried = s.attempts().size() > 1;   // [{"number":1,"replica":"web-0","outcome":"replica lost"}, {"number":2,...}]
 * }</pre>
 *
 * @param number    1 for the first attempt
 * @param replica   the replica that claimed it ({@code kindling.ondemand.replica-id})
 * @param startedAt when that replica claimed it
 * @param outcome   how the attempt ended: {@code replica lost} (its lease ran out), or the job's final state;
 *                  null while it runs
 */
public record JobAttempt(int number, String replica, Instant startedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String outcome) {
    public JobAttempt {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** This attempt, ended with {@code outcome}. */
    public JobAttempt ended(String outcome) {
        return new JobAttempt(number, replica, startedAt, Objects.requireNonNull(outcome, "outcome"));
    }
}
