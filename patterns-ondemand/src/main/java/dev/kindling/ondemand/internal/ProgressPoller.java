package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobState;
import java.util.Collection;
import java.util.function.Supplier;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;

/**
 * Progress: reads, for each running job, the stages and tasks of the Spark jobs in its job group
 * from Spark's status tracker, and sets them on the job's record (which tells its listeners when they
 * changed). Called on the engine's timer every {@code kindling.ondemand.progress-interval}.
 */
final class ProgressPoller implements Runnable {
    private final JavaSparkStatusTracker tracker;
    private final Supplier<Collection<JobRecord>> records;

    ProgressPoller(SparkContext sc, Supplier<Collection<JobRecord>> records) {
        this.tracker = JavaSparkContext.fromSparkContext(sc).statusTracker();
        this.records = records;
    }

    @Override
    public void run() {
        for (JobRecord r : records.get()) {
            if (r.state() == JobState.RUNNING && r.runsHere()) {
                poll(r);
            }
        }
    }

    private void poll(JobRecord r) {
        int stages = 0;
        int stagesDone = 0;
        int tasks = 0;
        int tasksDone = 0;
        for (int jobId : tracker.getJobIdsForGroup(r.id())) {
            SparkJobInfo job = tracker.getJobInfo(jobId);
            if (job == null) {
                continue;
            }
            boolean jobDone = job.status() == JobExecutionStatus.SUCCEEDED;
            for (int stageId : job.stageIds()) {
                stages++;
                SparkStageInfo stage = tracker.getStageInfo(stageId);
                if (stage != null) {
                    tasks += stage.numTasks();
                    tasksDone += stage.numCompletedTasks();
                }
                if (jobDone || (stage != null && stage.numTasks() > 0 && stage.numCompletedTasks() >= stage.numTasks())) {
                    stagesDone++;
                }
            }
        }
        r.sparkProgress(stagesDone, stages, tasksDone, tasks);
    }
}
