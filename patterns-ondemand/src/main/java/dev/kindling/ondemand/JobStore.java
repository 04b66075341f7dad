package dev.kindling.ondemand;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ondemand.internal.PostgresJobStore;
import java.util.List;

/**
 * Where job records survive a restart. The service keeps every record in memory and writes each state
 * change through to the store: the QUEUED record before the submission is acknowledged, RUNNING when a
 * worker starts it, the final state (with the result or error) after the job has ended.
 *
 * <pre>{@code
 * JobStore store = JobStore.postgres(new JdbcEndpoint(url, user, Secret.of(password)));
 * JobService jobs = JobService.builder("sparkpi").store(store).job(pi).build();
 * KindlingService.builder("sparkpi").resource("job store", store).component(jobs).run();
 * }</pre>
 *
 * <p><b>Replicas.</b> The store made by {@link #postgres} is shared: two or three replicas of one service on
 * the same table behave as one service. Every service on it, one replica or several, accepts a job by
 * saving it QUEUED; the replica with a free worker claims it ({@code SELECT ... FOR UPDATE SKIP LOCKED}) and
 * runs it under a lease it renews ({@link OnDemandSettings#LEASE}); a job whose lease ran out (its replica
 * died) is queued again while it has attempts left ({@link OnDemandSettings#MAX_ATTEMPTS}, default 1) or
 * saved FAILED with {@link JobError#REPLICA_LOST}. Results are kept in the store (at most
 * {@link OnDemandSettings#MAX_RESULT_BYTES}), so any replica reads, follows or cancels any job.
 *
 * <p>A store of your own (any other implementation) is used by one replica alone: on start the service
 * calls {@link #loadRecent} and {@link #loadUnfinished()}: jobs left QUEUED are queued again, jobs left
 * RUNNING are saved as FAILED with the error type {@link JobError#INTERRUPTED_BY_RESTART}.
 * A save that fails is never ignored: the job's status shows it ({@link JobStatus#storeError()}), the counter
 * {@code kindling_ondemand_store_failures_total} counts it, readiness turns down until the store answers
 * again ({@link #ping()}), and the save is tried again.
 *
 * <p>Implementations must be thread-safe: workers save concurrently.
 */
public interface JobStore extends AutoCloseable {

    /** One stored job: its status, its params as JSON text and its timeout. */
    record StoredJob(JobStatus status, String paramsJson, long timeoutMillis) {
    }

    /**
     * A store on PostgreSQL in the table {@code kindling_jobs} (created when missing, and given the replica
     * columns when they are missing), which replicas share.
     *
     * @throws dev.kindling.ipp.ConfigurationException when the database cannot be used (wrong URL, user or password)
     */
    static JobStore postgres(JdbcEndpoint endpoint) {
        return PostgresJobStore.create(endpoint, "kindling_jobs");
    }

    /** A store on PostgreSQL in {@code table} (a plain SQL identifier, created when missing). */
    static JobStore postgres(JdbcEndpoint endpoint, String table) {
        return PostgresJobStore.create(endpoint, table);
    }

    /**
     * Inserts or replaces the record with {@code job.status().id()}. A job never moves back: an ended
     * job's record is not replaced, and a RUNNING one is not replaced by QUEUED, so saves that arrive out
     * of order (the submitter's QUEUED after the worker's RUNNING) do no harm.
     *
     * @throws dev.kindling.ipp.KindlingException when it cannot be saved ({@code TransientException}
     *         when the database is unreachable)
     */
    void save(StoredJob job);

    /**
     * Saves {@code jobs} as {@link #save} does, all or none: the service saves the submissions that arrive
     * together in one call and acknowledges them only when it returns, and refuses every one of them when
     * it throws. The default saves them one by one, so a failure part-way leaves the earlier ones saved
     * (they run after a restart although their callers heard 503); a store that can should make it one
     * transaction, as the PostgreSQL store does.
     *
     * @throws dev.kindling.ipp.KindlingException when they cannot be saved
     */
    default void saveAll(List<StoredJob> jobs) {
        jobs.forEach(this::save);
    }

    /** The jobs saved as QUEUED or RUNNING, oldest submission first. */
    List<StoredJob> loadUnfinished();

    /** The {@code limit} most recently submitted jobs, newest first. */
    List<StoredJob> loadRecent(int limit);

    /**
     * Deletes the jobs that ended before {@code endedBefore} (queued and running jobs are never
     * deleted) and returns how many. The service calls it on a timer with {@code now - kindling.ondemand.retention}.
     * The default keeps everything.
     *
     * @throws dev.kindling.ipp.KindlingException when the store cannot delete
     */
    default int prune(java.time.Instant endedBefore) {
        return 0;
    }

    /**
     * A cheap check that the store answers, used after a failed save to tell when it is back. The
     * default reads one record.
     *
     * @throws dev.kindling.ipp.KindlingException when it does not answer
     */
    default void ping() {
        loadRecent(1);
    }

    @Override
    void close();
}
