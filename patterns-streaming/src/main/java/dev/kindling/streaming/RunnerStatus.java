package dev.kindling.streaming;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a {@link StreamingRunner} for {@code GET /status} and for tests.
 *
 * <pre>{@code
 * RunnerStatus s = runner.status();
 * long behind = s.kafkaLag().stream().mapToLong(RunnerStatus.PartitionLag::lag).sum();
 * }</pre>
 *
 * @param name                   the runner's (and main query's) name
 * @param state                  see {@link RunnerState}
 * @param source                 the source's name
 * @param sink                   the sink's name
 * @param deadLetters            the dead-letter sink's name, or null
 * @param trigger                the trigger, as text
 * @param outputMode             the output mode in use (null before the first start)
 * @param queryId                Spark's query id (stable across restarts from one checkpoint), or null
 * @param restarts               restarts since the runner started
 * @param lastError              the last failure's message, or null
 * @param lastBatchId            the last micro-batch that made progress, or -1
 * @param inputRowsPerSecond     from the last progress
 * @param processedRowsPerSecond from the last progress
 * @param batchDurationMs        the last micro-batch's duration
 * @param stateRows              rows held in the query's state stores
 * @param inputRows              rows read since the runner started
 * @param deadLetterCount        records rejected by the decoder since the runner started
 * @param kafkaLag               lag per Kafka partition (empty when the source is not Kafka or not yet known)
 * @param lastProgressAt         when the last progress was reported, or null
 */
public record RunnerStatus(String name, RunnerState state, String source, String sink, String deadLetters, String trigger,
                           String outputMode, String queryId, long restarts, String lastError, long lastBatchId,
                           double inputRowsPerSecond, double processedRowsPerSecond, long batchDurationMs, long stateRows,
                           long inputRows, long deadLetterCount, List<PartitionLag> kafkaLag, Instant lastProgressAt) {

    /** Consumer lag of one Kafka partition: {@code latestOffset - processedOffset}. */
    public record PartitionLag(String topic, int partition, long latestOffset, long processedOffset, long lag) {
    }

    /** The sum of {@link #kafkaLag()}, or -1 when unknown. */
    public long totalLag() {
        return kafkaLag.isEmpty() ? -1 : kafkaLag.stream().mapToLong(PartitionLag::lag).sum();
    }
}
