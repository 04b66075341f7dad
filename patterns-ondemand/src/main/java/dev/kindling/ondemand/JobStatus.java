package dev.kindling.ondemand;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one job, as {@code GET /jobs/{id}} shows it (Jackson writes it as that JSON).
 *
 * <pre>{@code
 * JobStatus s = jobs.submit("sparkpi", Map.of("samples", 1000));
 * JobStatus done = jobs.await(s.id(), Duration.ofSeconds(10));
 * JsonNode pi = done.result().get("pi");
 * }</pre>
 *
 * @param id          the job id (also its Spark job group)
 * @param name        the registered job name
 * @param state       the state at the time of the snapshot
 * @param trigger     what submitted it: {@link #HTTP}, {@link #IN_PROCESS}, {@link #SCHEDULE} or {@link #WARM_UP}
 * @param submittedAt when the job was accepted
 * @param startedAt   when a worker started it; null while QUEUED (and for a job cancelled while queued)
 * @param finishedAt  when it ended; null until then
 * @param progress    how far it is; {@link JobProgress#NONE} before it runs
 * @param result      the result as JSON when SUCCEEDED, else null
 * @param error       why it FAILED, else null
 * @param storeError  why the durable job store does not hold this job's latest state, or null when it does
 *                    (or there is no store); cleared once a later save succeeds
 * @param attempts    with the PostgreSQL job store, every time a replica claimed the job to run it, oldest
 *                    first (left out of the JSON when empty: without a store, and while the job is first queued)
 */
@JsonPropertyOrder({"id", "name", "state", "trigger", "submittedAt", "startedAt", "finishedAt", "durationMs", "progress", "result",
        "error", "storeError", "attempts"})
public record JobStatus(String id, String name, JobState state, String trigger, Instant submittedAt, Instant startedAt,
                        Instant finishedAt, JobProgress progress, @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode result,
                        @JsonInclude(JsonInclude.Include.NON_NULL) JobError error,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String storeError,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) java.util.List<JobAttempt> attempts) {
    /** Submitted with {@code POST /jobs/{name}} or a sync GET route. */
    public static final String HTTP = "http";
    /** Submitted with {@link JobService#submit}. */
    public static final String IN_PROCESS = "in-process";
    /** Submitted by its cron schedule ({@code kindling.ondemand.schedule.<job>}). */
    public static final String SCHEDULE = "schedule";
    /** The warm-up run before readiness; not counted in the metrics, not stored, not listed. */
    public static final String WARM_UP = "warm-up";

    public JobStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(submittedAt, "submittedAt");
        Objects.requireNonNull(progress, "progress");
        attempts = attempts == null ? java.util.List.of() : java.util.List.copyOf(attempts);
    }

    /** How long it ran, in milliseconds, once it has started and ended; else null. */
    @JsonProperty("durationMs")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Long durationMs() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis();
    }
}
