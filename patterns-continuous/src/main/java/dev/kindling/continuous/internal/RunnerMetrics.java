package dev.kindling.continuous.internal;

import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The runner's meters; {@link #record} is called once per cycle. */
public final class RunnerMetrics {
    private final Map<CycleOutcome, Counter> cycles = new EnumMap<>(CycleOutcome.class);
    private final Counter rowsRead;
    private final Counter rowsWritten;
    private final Timer duration;

    public RunnerMetrics(MeterRegistry registry, String pipeline, Supplier<Number> lagSeconds, Supplier<Number> consecutiveFailures) {
        for (CycleOutcome o : CycleOutcome.values()) {
            cycles.put(o, Counter.builder("kindling.continuous.cycles").description("Cycles run, by outcome")
                    .tag("pipeline", pipeline).tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        rowsRead = Counter.builder("kindling.continuous.rows.read").description("Rows read from the source")
                .tag("pipeline", pipeline).register(registry);
        rowsWritten = Counter.builder("kindling.continuous.rows.written").description("Rows the sink reported committed")
                .tag("pipeline", pipeline).register(registry);
        duration = Timer.builder("kindling.continuous.cycle.duration").description("Duration of cycles")
                .tag("pipeline", pipeline).register(registry);
        Gauge.builder("kindling.continuous.lag.seconds", () -> lagSeconds.get())
                .description("Now minus the newest committed watermark time (or the start of the last successful cycle "
                        + "for non-time watermarks); NaN before the first success")
                .tag("pipeline", pipeline).register(registry);
        Gauge.builder("kindling.continuous.consecutive.failures", () -> consecutiveFailures.get())
                .description("Failed cycles since the last successful one").tag("pipeline", pipeline).register(registry);
    }

    public void record(CycleReport r) {
        cycles.get(r.outcome()).increment();
        if (r.rowsRead() > 0) {
            rowsRead.increment(r.rowsRead());
        }
        if (r.rowsWritten() > 0) {
            rowsWritten.increment(r.rowsWritten());
        }
        duration.record(r.durationMs(), TimeUnit.MILLISECONDS);
    }
}
