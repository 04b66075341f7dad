package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.service.ComponentMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The runner's meters, all through the component's {@link ComponentMeters} (tags {@code service} and
 * {@code pipeline}): {@code kindling_continuous_cycles_total{outcome}}, {@code _rows_read_total},
 * {@code _rows_written_total}, {@code _dead_letters_total}, {@code _cycle_duration_seconds},
 * {@code _lag_seconds}, {@code _consecutive_failures} and {@code kindling_continuous_leader} (1 while this
 * replica runs the cycles: the leader, or a runner without replicas; 0 while a standby). {@link #record} is called once per cycle.
 */
public final class ContinuousMeters {
    private final Map<CycleOutcome, Counter> cycles = new EnumMap<>(CycleOutcome.class);
    private final Counter rowsRead;
    private final Counter rowsWritten;
    private final Counter deadLetters;
    private final Timer duration;
    // Micrometer holds a gauge's object weakly: these fields keep the suppliers alive as long as the runner.
    private final DoubleSupplier lagSeconds;
    private final DoubleSupplier consecutiveFailures;
    private final DoubleSupplier leader;

    public ContinuousMeters(ComponentMeters meters, DoubleSupplier lagSeconds, DoubleSupplier consecutiveFailures, DoubleSupplier leader) {
        this.lagSeconds = lagSeconds;
        this.consecutiveFailures = consecutiveFailures;
        this.leader = leader;
        for (CycleOutcome o : CycleOutcome.values()) {
            cycles.put(o, meters.counter("cycles", "Cycles run, by outcome", "outcome", o.name().toLowerCase(Locale.ROOT)));
        }
        rowsRead = meters.counter("rows.read", "Rows read from the source");
        rowsWritten = meters.counter("rows.written", "Rows the sink reported committed");
        deadLetters = meters.counter("dead.letters", "Records the pipeline's decoder rejected");
        duration = meters.timer("cycle.duration", "Duration of cycles");
        meters.gauge("lag.seconds", "Now minus the newest committed watermark time (or the start of the last successful cycle "
                + "for other watermarks); NaN before the first success", lagSeconds, DoubleSupplier::getAsDouble);
        meters.gauge("consecutive.failures", "Failed cycles since the last successful one", consecutiveFailures,
                DoubleSupplier::getAsDouble);
        meters.gauge("leader", "1 while this replica runs the pipeline's cycles (the lease's holder, or no replicas), 0 while a standby",
                leader, DoubleSupplier::getAsDouble);
    }

    public void record(CycleReport r) {
        cycles.get(r.outcome()).increment();
        if (r.rowsRead() > 0) {
            rowsRead.increment(r.rowsRead());
        }
        if (r.rowsWritten() > 0) {
            rowsWritten.increment(r.rowsWritten());
        }
        if (r.deadLetters() > 0) {
            deadLetters.increment(r.deadLetters());
        }
        duration.record(r.durationMs(), TimeUnit.MILLISECONDS);
    }
}
