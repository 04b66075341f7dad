package dev.kindling.ondemand;

/**
 * The body of a typed on-demand job: params in, result out. The result is serialised to JSON with
 * Jackson (records, maps, lists, numbers and strings work as they are).
 *
 * <pre>{@code
 * Job<PiParams, PiResult> pi = (ctx, p) -> SparkPi.estimate(ctx.spark(), p.samples(), p.partitions(), p.seed());
 * }</pre>
 *
 * <p>Called on a worker thread of the service; many jobs run at once on one SparkSession, so a job
 * must not change session-wide state (SQL configuration, the current database, shared temp views).
 *
 * @param <P> the params type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Job<P, R> {
    /** Runs the job; an exception ends it FAILED with the exception's type and message. */
    R run(JobContext context, P params) throws Exception;
}
