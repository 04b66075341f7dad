package dev.kindling.bench.streaming;

import dev.kindling.testkit.KafkaBroker;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The maximum sustained rate of a pipeline, found with a stepped ramp on one running query: once one record has come
 * through, and after a warm-up at the first step's rate, each step offers its rate for {@code step} seconds, then the
 * load pauses until the step's records have arrived (at most {@value #DRAIN_SECONDS} s) and the step is judged; the
 * ramp ends at the first step that is not sustained. The result is the highest sustained step, 0 when none was.
 *
 * <p>A step is <b>sustained</b> when
 * <ul>
 *   <li>the bench's producer sent at least 95 % of the offered rate (otherwise the machine, not the pipeline, is the
 *       limit; that step is not counted);</li>
 *   <li>the output kept up: the step's records came out at at least 95 % of the rate they were sent, the output rate
 *       being the input rate over 1 + the latency's drift (how much the median latency of the step's last fifth of
 *       records exceeds that of its first fifth, per second between them): a pipeline that keeps up has no drift
 *       however long its latency or bursty its output, and one that processes only {@code C} of {@code R} records per
 *       second builds a backlog whose latency grows by {@code R / C - 1} s per second;</li>
 *   <li>p99 latency of the step's records is under 1 s (a record not arrived counts with the time it has waited).</li>
 * </ul>
 */
final class RateRamp {
    /** How the output judges a step, in one line for the bench's report. */
    static final String DEFINITION = "highest ramp step with the producer at >= 95 % of the offered rate, "
            + "output rate >= 95 % of input rate and p99 < 1 s";
    static final double KEEP_UP = 0.95;
    static final double P99_LIMIT_MS = 1000;
    static final int DRAIN_SECONDS = 5;

    /** Starts the pipeline under test on an input and an output topic. */
    @FunctionalInterface
    interface Starter {
        UpperService start(String input, String output);
    }

    private final KafkaBroker kafka;
    private final int[] rates;
    private final int step;
    private final int warmup;

    /**
     * @param rates  the offered rates, in records per second, in increasing order
     * @param step   seconds per step
     * @param warmup seconds at {@code rates[0]} before the first step, not judged
     */
    RateRamp(KafkaBroker kafka, int[] rates, int step, int warmup) {
        this.kafka = kafka;
        this.rates = rates.clone();
        this.step = step;
        this.warmup = warmup;
    }

    /** The highest sustained rate of the pipeline {@code starter} starts on fresh topics; prints a line per step. */
    double maxSustained(String variant, Starter starter) throws Exception {
        String in = kafka.createUniqueTopic("ramp-in", RealTimeBench.PARTITIONS);
        String out = kafka.createUniqueTopic("ramp-out", RealTimeBench.PARTITIONS);
        int capacity = 1 + rates[0] * warmup + Arrays.stream(rates).map(r -> r * step).sum();
        double best = 0;
        try (UpperService s = starter.start(in, out);
             KafkaLoad load = KafkaLoad.open(kafka.bootstrapServers(), in, out, capacity)) {
            load.prime(Duration.ofSeconds(60));
            load.send(rates[0], rates[0] * warmup);
            load.awaitArrived(load.sent(), Duration.ofSeconds(10));
            for (int rate : rates) {
                int from = load.sent();
                double took = load.send(rate, rate * step);
                load.awaitArrived(load.sent(), Duration.ofSeconds(DRAIN_SECONDS));
                s.check();
                KafkaLoad.Window w = load.window(from, load.sent());
                double offered = w.records() / took;
                boolean producerKeptUp = offered >= KEEP_UP * rate;
                boolean outputKeptUp = w.outputRate() >= KEEP_UP * w.inputRate();
                boolean p99Ok = w.p99Ms() < P99_LIMIT_MS;
                boolean sustained = producerKeptUp && outputKeptUp && p99Ok;
                System.out.printf(Locale.ROOT, "  ramp %-11s %,7d records/s: sent %,.0f/s, out %,.0f/s (%.0f %%), p50 %.1f ms, p99 %.1f ms,"
                                + " %,d of %,d delivered: %s%n", variant, rate, offered, w.outputRate(), 100 * w.outputRate() / w.inputRate(),
                        w.p50Ms(), w.p99Ms(), w.delivered(), w.records(),
                        sustained ? "sustained" : "NOT sustained (" + (producerKeptUp ? "" : "producer behind; ")
                                + (outputKeptUp ? "" : "output behind; ") + (p99Ok ? "" : "p99 >= 1 s; ") + "ramp ends)");
                load.warnIfWrong();
                if (!sustained) {
                    break;
                }
                best = rate;
            }
        }
        return best;
    }

    /** {@code rate} as the report shows it, marking the ramp's top step (the real maximum may be higher). */
    String describe(double rate) {
        if (rate == 0) {
            return "below " + String.format(Locale.ROOT, "%,d", rates[0]) + " records/s (no step sustained)";
        }
        return String.format(Locale.ROOT, "%,.0f records/s", rate) + (rate >= rates[rates.length - 1] ? " (the ramp's top step: at least)" : "");
    }
}
