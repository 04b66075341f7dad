package dev.kindling.ondemand.internal;

import java.util.List;
import java.util.Map;

/**
 * The on-demand pattern's own part of {@code GET /status}.
 *
 * <pre>{@code
 * "details": {"jobs": ["sparkpi"], "workers": 2, "running": 1, "queued": 0, "warmedUp": true,
 *             "schedules": {"sparkpi": "0 * * * * (next 2026-11-26T11:00:00Z)"}, "store": "none", "unsavedJobStates": 0}
 * }</pre>
 *
 * @param jobs             the registered job names
 * @param workers          worker slots
 * @param running          jobs running now
 * @param queued           jobs waiting for a worker
 * @param warmedUp         whether the warm-up has run
 * @param schedules        job to its cron schedule and next run
 * @param store            the durable job store, or {@code none}
 * @param unsavedJobStates job states the store failed to take and that are being saved again
 * @param replica          this replica's id ({@code kindling.ondemand.replica-id}) with the PostgreSQL store, which
 *                         every replica shares (then {@code running} counts the jobs this replica runs and
 *                         {@code queued} the jobs waiting across all replicas); null (left out) without it
 */
public record JobServiceDetails(List<String> jobs, int workers, int running, int queued, boolean warmedUp,
                                Map<String, String> schedules, String store, int unsavedJobStates,
                                @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                                String replica) {
}
