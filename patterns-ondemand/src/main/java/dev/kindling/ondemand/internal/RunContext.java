package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobContext;
import dev.kindling.ondemand.JobState;
import java.util.concurrent.CancellationException;
import org.apache.spark.sql.SparkSession;

/** The {@link JobContext} of one run of a job. */
final class RunContext implements JobContext {
    private final SparkSession spark;
    private final JobRecord record;

    RunContext(SparkSession spark, JobRecord record) {
        this.spark = spark;
        this.record = record;
    }

    @Override
    public SparkSession spark() {
        return spark;
    }

    @Override
    public String jobId() {
        return record.id();
    }

    @Override
    public String jobName() {
        return record.name();
    }

    @Override
    public void reportProgress(double fraction, String message) {
        record.ownProgress(fraction, message);
    }

    @Override
    public boolean isCancelled() {
        JobState s = record.state();
        return s == JobState.CANCELLING || s == JobState.CANCELLED || s == JobState.FAILED;
    }

    @Override
    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new CancellationException("job " + record.id() + " was cancelled or timed out");
        }
    }
}
