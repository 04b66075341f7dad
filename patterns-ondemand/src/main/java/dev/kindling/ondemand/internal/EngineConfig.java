package dev.kindling.ondemand.internal;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.Backoff;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The knobs of the engine, read from {@link OnDemandSettings} when the service starts.
 *
 * @param workers workers (0 in the setting: the number of cores)
 * @param cancelWait how long a cancel waits for a running job's code to return
 * @param retention how long ended jobs stay in the durable store
 * @param storeProbeInterval how often a healthy durable store is pinged
 * @param replicas the replica settings (used with the PostgreSQL store)
 */
public record EngineConfig(int workers, int queueCapacity, Duration defaultTimeout, Duration maxTimeout, Duration maxWait,
                           int maxRecords, Duration maxRecordAge, Duration progressInterval, Duration retryAfter, Backoff backoff, Duration cancelWait, Duration retention,
                           Duration storeProbeInterval, Replicas replicas) {

    /**
     * @param id             this replica's id
     * @param lease          how long a claim lasts unless renewed
     * @param maxAttempts    claims per job
     * @param maxResultBytes the largest stored result
     * @param pollInterval   the claim loop's period
     */
    public record Replicas(String id, Duration lease, int maxAttempts, int maxResultBytes, Duration pollInterval) {
        /** The heartbeat period: the poll interval, at most a third of the lease. */
        public Duration heartbeat() {
            Duration third = lease.dividedBy(3);
            return pollInterval.compareTo(third) < 0 ? pollInterval : third;
        }
    }

    public static EngineConfig from(Settings s) {
        int workers = s.get(OnDemandSettings.WORKERS);
        return new EngineConfig(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers,
                s.get(OnDemandSettings.QUEUE_CAPACITY), s.get(OnDemandSettings.DEFAULT_TIMEOUT), s.get(OnDemandSettings.MAX_TIMEOUT),
                s.get(OnDemandSettings.MAX_WAIT), s.get(OnDemandSettings.MAX_RECORDS), s.get(OnDemandSettings.MAX_RECORD_AGE),
                s.get(OnDemandSettings.PROGRESS_INTERVAL), s.get(OnDemandSettings.RETRY_AFTER),
                new Backoff(s.get(OnDemandSettings.BACKOFF_INITIAL), s.get(OnDemandSettings.BACKOFF_MAX)),
                s.get(OnDemandSettings.CANCEL_WAIT), s.get(OnDemandSettings.RETENTION),
                s.get(OnDemandSettings.STORE_PROBE_INTERVAL), replicas(s));
    }

    private static Replicas replicas(Settings s) {
        Duration lease = s.get(OnDemandSettings.LEASE);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigurationException(OnDemandSettings.LEASE.name() + " must be from 1s to 1h; got " + lease);
        }
        Duration poll = s.get(OnDemandSettings.POLL_INTERVAL);
        if (poll.compareTo(Duration.ofMillis(10)) < 0 || poll.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigurationException(OnDemandSettings.POLL_INTERVAL.name() + " must be from 10ms to 1m; got " + poll);
        }
        String id = s.get(OnDemandSettings.REPLICA_ID);
        if (id == null || id.isBlank()) {
            id = hostName() + "-" + ProcessHandle.current().pid();
        } else if (id.length() > 200) {
            throw new ConfigurationException(OnDemandSettings.REPLICA_ID.name() + " must be at most 200 characters; got " + id.length());
        }
        return new Replicas(id.trim(), lease, s.get(OnDemandSettings.MAX_ATTEMPTS), s.get(OnDemandSettings.MAX_RESULT_BYTES), poll);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica";
        }
    }

    /** The Retry-After of a 429, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
