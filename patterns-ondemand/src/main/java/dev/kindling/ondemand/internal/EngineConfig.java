package dev.kindling.ondemand.internal;

import dev.kindling.config.Settings;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.Backoff;
import java.time.Duration;

/**
 * The knobs of the engine, read from {@link OnDemandSettings} when the service starts.
 *
 * @param workers workers (0 in the setting: the number of cores)
 * @param cancelWait how long a cancel waits for a running job's code to return
 * @param retention how long ended jobs stay in the durable store
 * @param storeProbeInterval how often a healthy durable store is pinged
 */
public record EngineConfig(int workers, int queueCapacity, Duration defaultTimeout, Duration maxTimeout, Duration maxWait,
                           int maxRecords, Duration maxRecordAge, Duration progressInterval, Duration retryAfter, Backoff backoff, Duration cancelWait, Duration retention,
                           Duration storeProbeInterval) {

    public static EngineConfig from(Settings s) {
        int workers = s.get(OnDemandSettings.WORKERS);
        return new EngineConfig(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers,
                s.get(OnDemandSettings.QUEUE_CAPACITY), s.get(OnDemandSettings.DEFAULT_TIMEOUT), s.get(OnDemandSettings.MAX_TIMEOUT),
                s.get(OnDemandSettings.MAX_WAIT), s.get(OnDemandSettings.MAX_RECORDS), s.get(OnDemandSettings.MAX_RECORD_AGE),
                s.get(OnDemandSettings.PROGRESS_INTERVAL), s.get(OnDemandSettings.RETRY_AFTER),
                new Backoff(s.get(OnDemandSettings.BACKOFF_INITIAL), s.get(OnDemandSettings.BACKOFF_MAX)),
                s.get(OnDemandSettings.CANCEL_WAIT), s.get(OnDemandSettings.RETENTION),
                s.get(OnDemandSettings.STORE_PROBE_INTERVAL));
    }

    /** The Retry-After of a 429, in whole seconds (at least 1). */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
