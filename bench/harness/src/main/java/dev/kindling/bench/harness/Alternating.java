package dev.kindling.bench.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The loop of every side-by-side bench: the variants run in one process, each warmed up first, then in
 * rounds whose order rotates (A,B then B,A), so that drift of a noisy machine falls on every variant
 * alike. Each round prints one line; the result holds every round, the medians, and the ratios a bench
 * asks for.
 *
 * <pre>{@code
 * Alternating.Result r = Alternating.of("20M-row batch pipeline", "ms")
 *         .variant("kindling", () -> timeMs(kindling))
 *         .variant("plain", () -> timeMs(plain))
 *         .run(2, 9);                            // 2 warm-up rounds, 9 measured rounds
 * r.medianRatio("kindling", "plain");            // the median of the per-round ratios
 * }</pre>
 */
public final class Alternating {
    /** One measurement of a variant, in the loop's unit (milliseconds, records per second, ...). */
    @FunctionalInterface
    public interface Measure {
        double measure() throws Exception;
    }

    private final String title;
    private final String unit;
    private final Map<String, Measure> variants = new LinkedHashMap<>();

    private Alternating(String title, String unit) {
        this.title = Objects.requireNonNull(title, "title");
        this.unit = Objects.requireNonNull(unit, "unit");
    }

    /** A loop measuring {@code title} in {@code unit}. */
    public static Alternating of(String title, String unit) {
        return new Alternating(title, unit);
    }

    /** Adds a variant; the order of adding is the order of the first round. */
    public Alternating variant(String name, Measure measure) {
        if (variants.putIfAbsent(Objects.requireNonNull(name, "name"), Objects.requireNonNull(measure, "measure")) != null) {
            throw new IllegalArgumentException("variant " + name + " is added twice");
        }
        return this;
    }

    /** Runs {@code warmUps} unmeasured rounds, then {@code rounds} measured ones, and prints each measured round. */
    public Result run(int warmUps, int rounds) throws Exception {
        if (variants.isEmpty() || rounds < 1 || warmUps < 0) {
            throw new IllegalArgumentException("a loop needs a variant, rounds >= 1 and warm-ups >= 0");
        }
        List<String> names = List.copyOf(variants.keySet());
        for (int i = 0; i < warmUps; i++) {
            for (String name : names) {
                variants.get(name).measure();
            }
        }
        List<Map<String, Double>> measured = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Map<String, Double> round = new LinkedHashMap<>();
            for (int j = 0; j < names.size(); j++) {
                String name = names.get((i + j) % names.size());
                round.put(name, variants.get(name).measure());
            }
            Map<String, Double> ordered = new LinkedHashMap<>();
            names.forEach(n -> ordered.put(n, round.get(n)));
            measured.add(ordered);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s, round %d:", title, i + 1));
            ordered.forEach((n, v) -> line.append(String.format(Locale.ROOT, " %s %.2f %s", n, v, unit)));
            System.out.println(line);
        }
        return new Result(title, unit, names, measured);
    }

    /**
     * What a loop measured.
     *
     * @param rounds each round's value per variant, in the variants' order
     */
    public record Result(String title, String unit, List<String> variants, List<Map<String, Double>> rounds) {
        /** The median of each variant's values. */
        public Map<String, Double> medians() {
            Map<String, Double> out = new LinkedHashMap<>();
            variants.forEach(v -> out.put(v, median(rounds.stream().map(r -> r.get(v)).toList())));
            return out;
        }

        /** The median of the per-round ratios {@code a / b}: steadier than a ratio of medians on a noisy machine. */
        public double medianRatio(String a, String b) {
            return median(rounds.stream().map(r -> r.get(a) / r.get(b)).toList());
        }

        /** The medians and the per-round ratio median of {@code a / b}, as one line. */
        public String summary(String a, String b) {
            Map<String, Double> m = medians();
            return String.format(Locale.ROOT, "%s: median %s %.2f %s, %s %.2f %s; %s / %s = %.3f (median of %d per-round ratios)",
                    title, a, m.get(a), unit, b, m.get(b), unit, a, b, medianRatio(a, b), rounds.size());
        }
    }

    /** The median of {@code values}. */
    public static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
