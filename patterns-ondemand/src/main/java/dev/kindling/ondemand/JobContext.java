package dev.kindling.ondemand;

import org.apache.spark.sql.SparkSession;

/**
 * What a running job gets besides its params: the warm SparkSession, its id, a way to report its own
 * progress and a way to notice that it was cancelled or timed out.
 *
 * <pre>{@code
 * Job<Params, Long> count = (ctx, p) -> {
 *     ctx.reportProgress(0.0, "counting");
 *     long n = ctx.spark().range(p.n()).count();   // Spark work is cancelled with the job
 *     ctx.throwIfCancelled();
 *     return n;
 * };
 * }</pre>
 *
 * <p><b>Threads.</b> A context belongs to one job run and is used from the worker thread that runs
 * the job. Spark work started on that thread runs in the Spark job group named by {@link #jobId()} and
 * in the FAIR scheduler pool named by {@link #jobName()} (when the session declares it: see
 * {@link JobService#sparkDefaults}); when the job is cancelled or times out the
 * group is cancelled, so running Spark actions throw. Work the job starts on other threads is not in
 * the group: call {@code spark().sparkContext().setJobGroup(ctx.jobId(), ...)} there too.
 */
public interface JobContext {
    /** The service's warm SparkSession, shared by all jobs. */
    SparkSession spark();

    /** The id of this job, also the name of its Spark job group. */
    String jobId();

    /** The registered name of the job, also the name of its FAIR scheduler pool. */
    String jobName();

    /**
     * Reports progress in the job's own terms; shown in {@code progress.fraction} and
     * {@code progress.message} and pushed to event-stream listeners.
     *
     * @param fraction from 0.0 to 1.0; it then becomes {@code progress.percent}
     * @param message  a short text, may be null
     */
    void reportProgress(double fraction, String message);

    /** Whether the job was cancelled or timed out; a long job that is not in Spark should check it. */
    boolean isCancelled();

    /** Throws {@link java.util.concurrent.CancellationException} when {@link #isCancelled()}. */
    void throwIfCancelled();
}
