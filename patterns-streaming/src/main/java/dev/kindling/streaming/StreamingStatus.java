package dev.kindling.streaming;

import java.time.Instant;
import java.util.List;

/**
 * What a {@link StreamingRunner} reports about its queries: the {@code details} of its entry in the
 * service's {@code GET /status}, next to the state, readiness and last error every component has.
 *
 * <pre>{@code
 * StreamingStatus s = runner.details();
 * long behind = s.kafkaLag().stream().mapToLong(StreamingStatus.PartitionLag::lag).sum();
 * }</pre>
 *
 * @param source                 the source's name
 * @param sink                   the sink's name
 * @param deadLetters            the dead-letter sink's name, or null
 * @param trigger                the trigger the queries run with, as text ({@code real-time:5000ms}, {@code 500ms}, {@code fast},
 *                               {@code available-now}); before the first start the one asked for ({@code auto:5000ms})
 * @param triggerReason          why the trigger {@code auto} chose micro-batches over real-time mode, e.g. "micro-batches every
 *                               5000ms, not real-time mode: it runs stateless queries only, and this one keeps state in the
 *                               operator Aggregate [word]..."; null when it did not
 * @param outputMode             the output mode in use (null before the first start)
 * @param queryId                Spark's id of the main query (stable across restarts from one checkpoint), or null
 * @param restarts               restarts after failures since the runner started
 * @param lastBatchId            the last micro-batch the main query reported, or -1
 * @param inputRowsPerSecond     from the last progress
 * @param processedRowsPerSecond from the last progress
 * @param batchDurationMs        the last micro-batch's duration
 * @param stateRows              rows held in the query's state stores
 * @param inputRows              rows read since the runner started
 * @param deadLetterCount        records the decoder rejected since the runner started
 * @param kafkaLag               lag per Kafka partition, by topic and partition (empty when the source is not Kafka or
 *                               the lag is not known yet)
 * @param lastProgressAt         when the main query last reported progress, or null
 * @param tables                 the queryable tables the runner writes, with the path each is served at
 * @param replica                who runs the queries among the replicas that share the checkpoint through a lease
 *                               ({@link StreamingRunner.Builder#lease}), or null without a lease
 */
public record StreamingStatus(String source, String sink, String deadLetters, String trigger, String triggerReason, String outputMode, String queryId,
                              long restarts, long lastBatchId, double inputRowsPerSecond, double processedRowsPerSecond,
                              long batchDurationMs, long stateRows, long inputRows, long deadLetterCount, List<PartitionLag> kafkaLag,
                              Instant lastProgressAt, List<TableSummary> tables, Replica replica) {

    /** Consumer lag of one Kafka partition: {@code latestOffset - processedOffset}, never below zero. */
    public record PartitionLag(String topic, int partition, long latestOffset, long processedOffset, long lag) {
    }

    /**
     * One queryable table: where it is served ({@code GET path?orderBy=COL&desc=true&limit=N}), its
     * key and value columns, how many rows it holds and the last micro-batch applied to it (-1: none).
     */
    public record TableSummary(String name, String path, List<String> keys, List<String> columns, int rows, long lastBatchId) {
    }

    /**
     * This replica's part in the lease of its checkpoint.
     *
     * @param role      {@code leader} (holds the lease and runs the queries) or {@code standby}
     * @param replicaId this replica's holder id ({@code kindling.streaming.replica-id}; default host name/process id)
     * @param leader    the holder id of the replica that leads now, as last read; null when none is known
     * @param lease     the lease's name, {@code streaming/CHECKPOINT} by default
     * @param ttlMs     the lease's time to live
     * @param elections how often this replica has taken the lease since it started
     * @param leaseError the last error met while asking for or renewing the lease, or null
     */
    public record Replica(String role, String replicaId, String leader, String lease, long ttlMs, long elections, String leaseError) {
    }

    /** The sum of {@link #kafkaLag()}, or -1 when it is not known. */
    public long totalLag() {
        return kafkaLag.isEmpty() ? -1 : kafkaLag.stream().mapToLong(PartitionLag::lag).sum();
    }
}
