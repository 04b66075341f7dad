package dev.kindling.ondemand;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A snapshot of one job, as {@code GET /jobs/{id}} shows it.
 *
 * <pre>{@code
 * JobStatus s = service.submit("sparkpi", Map.of("samples", 1000)).orElseThrow();
 * JobStatus done = service.await(s.id(), Duration.ofSeconds(10));
 * JsonNode pi = done.result().get("pi");
 * }</pre>
 *
 * @param id          the job id (also its Spark job group)
 * @param name        the registered job name
 * @param state       the state at the time of the snapshot
 * @param submittedAt when the job was accepted
 * @param startedAt   when a worker started it; null while QUEUED (and for a job cancelled while queued)
 * @param finishedAt  when it ended; null until then
 * @param progress    how far it is; {@link Progress#NONE} before it runs
 * @param result      the result as JSON when SUCCEEDED, else null
 * @param error       why it FAILED, else null
 */
public record JobStatus(String id, String name, JobState state, Instant submittedAt, Instant startedAt,
                        Instant finishedAt, Progress progress, JsonNode result, JobError error) {
}
