package dev.kindling.bench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a bench's result as {@code bench/results/<bench>.json} in the format {@code kindling-bench/1}
 * (described in {@code bench/results/README.md}), which the documentation site turns into tables and
 * charts. The folder is found from the working directory upwards ({@code mvn -f bench/core/pom.xml}
 * runs in {@code bench/core}).
 *
 * <pre>{@code
 * BenchResultFile file = new BenchResultFile("core", "Kindling vs plain Spark, batch pipeline", command, Instant.now(), spark.version());
 * file.parameter("rows", 20_000_000L);
 * file.measurement("pipeline", result)      // an Alternating.Result
 *     .ratio("kindling / plain", result.medianRatio("kindling", "plain"), "<= 1.03", result.medianRatio("kindling", "plain") <= 1.03);
 * file.write();   // bench/results/core.json
 * }</pre>
 */
public final class BenchResultFile {
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final List<Map<String, Object>> measurements = new ArrayList<>();
    private final String bench;

    /** A result of {@code bench} ({@code core}, ...), started at {@code startedAt}, with the command that ran it and the Spark version used. */
    public BenchResultFile(String bench, String title, String command, Instant startedAt, String sparkVersion) {
        this.bench = bench;
        doc.put("schema", "kindling-bench/1");
        doc.put("bench", bench);
        doc.put("title", title);
        doc.put("command", command);
        doc.put("startedAt", startedAt.toString());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("spark", sparkVersion);
        machine.put("loadAverageAtStart", String.format(java.util.Locale.ROOT, "%.2f", Machine.loadAverage()));
        doc.put("machine", machine);
        doc.put("parameters", parameters);
        doc.put("measurements", measurements);
    }

    /** A parameter of the run (rows, rounds, ...). */
    public BenchResultFile parameter(String name, Object value) {
        parameters.put(name, String.valueOf(value));
        return this;
    }

    /** One measurement: its rounds (a value per variant each) and medians; ratios are added to the returned one. */
    public Measurement measurement(String id, String title, String unit, List<String> variants, List<Map<String, Double>> rounds,
                                   Map<String, Double> medians) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("unit", unit);
        m.put("variants", variants);
        m.put("rounds", rounds);
        m.put("medians", medians);
        Map<String, Double> statistics = new LinkedHashMap<>();
        m.put("statistics", statistics);
        List<Map<String, Object>> ratios = new ArrayList<>();
        m.put("ratios", ratios);
        measurements.add(m);
        return new Measurement(statistics, ratios);
    }

    /** A measurement the {@link Alternating} loop made: its variants, every round and the medians. */
    public Measurement measurement(String id, Alternating.Result result) {
        return measurement(id, result.title(), result.unit(), result.variants(), result.rounds(), result.medians());
    }

    /** The other statistics and the ratios of a measurement. */
    public static final class Measurement {
        private final Map<String, Double> statistics;
        private final List<Map<String, Object>> ratios;

        private Measurement(Map<String, Double> statistics, List<Map<String, Object>> ratios) {
            this.statistics = statistics;
            this.ratios = ratios;
        }

        /** A figure beside the medians ({@code p99 HTTP}, {@code executors held while idle}, ...), in the measurement's unit or counted. */
        public Measurement statistic(String name, double value) {
            statistics.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** A ratio with its goal ({@code "<= 1.03"}, or null) and whether it is met (or null). */
        public Measurement ratio(String name, double value, String goal, Boolean met) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", name);
            r.put("value", value);
            r.put("goal", goal);
            r.put("met", met);
            ratios.add(r);
            return this;
        }
    }

    /** Writes the file and returns its path. */
    public Path write() throws IOException {
        doc.put("finishedAt", Instant.now().toString());
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bench/README.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IOException("no bench/README.md above " + Path.of("").toAbsolutePath() + ": cannot find bench/results");
        }
        Path file = dir.resolve("bench/results/" + bench + ".json");
        Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        return file;
    }
}
