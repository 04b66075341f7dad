package dev.kindling.continuous;

import java.time.Instant;

/**
 * The continuous runner's own part of {@code GET /status}: the {@code details} of its component
 * entry (the state, readiness and last error are in the entry itself, the same for every pattern).
 *
 * <pre>{@code
 * ContinuousStatus s = runner.details();
 * if (s.consecutiveFailures() > 0) alert(s.lastCycle().error());
 * }</pre>
 *
 * @param mode                {@code incremental} or {@code available-now}
 * @param interval            the pause between cycles, as settings are written ({@code 30s}, {@code 5m})
 * @param committed           the last committed batch (incremental mode), or null
 * @param lastCycle           the last cycle, or null before the first
 * @param nextCycleAt         when the next scheduled cycle starts; null when paused, stopped or failed
 * @param consecutiveFailures failed cycles since the last successful one
 * @param cycles              cycles run so far
 * @param rowsRead            rows read so far (cycles that could tell)
 * @param rowsWritten         rows written so far (cycles whose sink could tell)
 * @param deadLetters         records the pipeline's decoder rejected so far
 * @param role                {@code leader} or {@code standby} among the pipeline's replicas (see {@link ContinuousRunner},
 *                            Replicas); {@code single} without a lease (a file watermark store, the available-now mode)
 * @param replica             this replica's id as the lease's holder; null without a lease
 * @param leader              the leader's id as this replica last saw it (its own while it leads); null when not known
 *                            yet or without a lease
 */
public record ContinuousStatus(String mode, String interval, CommittedBatch committed, CycleReport lastCycle, Instant nextCycleAt,
                               int consecutiveFailures, long cycles, long rowsRead, long rowsWritten, long deadLetters,
                               String role, String replica, String leader) {
}
