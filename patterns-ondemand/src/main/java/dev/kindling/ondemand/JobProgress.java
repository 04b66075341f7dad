package dev.kindling.ondemand;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How far a job is: Spark stages and tasks completed of those known so far (from Spark's status
 * tracker for the job's job group), a percent, and what the job reported itself.
 *
 * <pre>{@code
 * JobProgress p = jobs.status(id).orElseThrow().progress();
 * log.info("{}/{} tasks, {}%", p.tasksCompleted(), p.tasksTotal(), p.percent());
 * }</pre>
 *
 * @param stagesCompleted stages of the job's Spark jobs that have completed
 * @param stagesTotal     stages of the job's Spark jobs submitted so far
 * @param tasksCompleted  tasks completed in those stages
 * @param tasksTotal      tasks of those stages
 * @param percent         0..100: the job's own fraction when it reported one, else tasks completed of
 *                        tasks total (100 once SUCCEEDED)
 * @param message         the job's own last progress message, or null (then left out of the JSON)
 */
public record JobProgress(int stagesCompleted, int stagesTotal, int tasksCompleted, int tasksTotal, double percent,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String message) {
    /** No progress yet. */
    public static final JobProgress NONE = new JobProgress(0, 0, 0, 0, 0.0, null);
}
