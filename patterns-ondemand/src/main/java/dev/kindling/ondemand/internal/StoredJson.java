package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ondemand.JobAttempt;
import dev.kindling.ondemand.JobProgress;
import dev.kindling.service.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The JSON columns of the job table: a job's progress and its attempt history. */
final class StoredJson {
    private StoredJson() {
    }

    static JobProgress progress(String json) {
        if (json == null) {
            return JobProgress.NONE;
        }
        try {
            return Json.mapper().readValue(json, JobProgress.class);
        } catch (JsonProcessingException e) {
            throw new KindlingException("a stored job progress is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String progress(JobProgress progress) {
        try {
            return Json.mapper().writeValueAsString(progress);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The attempts of {@code [{"number":1,"replica":"a","startedAt":"...","outcome":"replica lost"}, ...]}. */
    static List<JobAttempt> attempts(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            List<JobAttempt> out = new ArrayList<>();
            for (JsonNode a : Json.mapper().readTree(json)) {
                JsonNode outcome = a.get("outcome");
                out.add(new JobAttempt(a.get("number").asInt(), a.get("replica").asText(), Instant.parse(a.get("startedAt").asText()),
                        outcome == null || outcome.isNull() ? null : outcome.asText()));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new KindlingException("a stored attempt history is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
