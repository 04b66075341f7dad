package dev.kindling.ondemand;

import java.util.List;

/**
 * Where job records survive a restart. The service keeps every record in memory and writes each state
 * change through to the store: the QUEUED record before the submission is acknowledged, RUNNING when a
 * worker starts it, the final state (with the result or error) after the job has ended.
 *
 * <pre>{@code
 * JobStore store = PostgresJobStore.create(new JdbcEndpoint(url, user, Secret.of(password)));
 * OnDemandService.builder("sparkpi").store(store)...
 * }</pre>
 *
 * <p>On start the service calls {@link #loadUnfinished()}: jobs left QUEUED are queued again, jobs left
 * RUNNING are saved as FAILED with the error type {@link JobError#INTERRUPTED_BY_RESTART}.
 * Implementations must be thread-safe: workers save concurrently.
 */
public interface JobStore extends AutoCloseable {

    /** One stored job: its status, its params as JSON text and its timeout. */
    record StoredJob(JobStatus status, String paramsJson, long timeoutMillis) {
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

    /** The jobs saved as QUEUED or RUNNING, oldest submission first. */
    List<StoredJob> loadUnfinished();

    /** The {@code limit} most recently submitted jobs, newest first. */
    List<StoredJob> loadRecent(int limit);

    @Override
    void close();
}
