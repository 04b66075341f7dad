package dev.kindling.site.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bench's result file, {@code bench/results/<bench>.json}, as each bench writes it (format
 * {@code kindling-bench/1}, described in {@code bench/results/README.md}).
 *
 * <pre>{@code
 * BenchResult core = BenchResult.read(Path.of("bench/results/core.json"));
 * core.measurements().get(0).ratios().get(0).value();   // 1.048
 * }</pre>
 *
 * @param bench        the bench's folder name ({@code core})
 * @param title        what it measures
 * @param command      the command that produced the file
 * @param startedAt    ISO-8601 instant
 * @param finishedAt   ISO-8601 instant
 * @param machine      facts about the machine at the start: cores, java, os, spark, loadAverageAtStart, ...
 * @param parameters   the bench's arguments by name
 * @param measurements what it measured
 */
public record BenchResult(String bench, String title, String command, String startedAt, String finishedAt,
                          Map<String, String> machine, Map<String, String> parameters, List<Measurement> measurements) {
    /** The format this reader knows. */
    public static final String SCHEMA = "kindling-bench/1";

    /**
     * One measurement: its rounds (each a value per variant), medians, other statistics and ratios.
     *
     * @param id         short id, unique in the file
     * @param title      what was measured
     * @param unit       the unit of every value ({@code ms}, {@code records/s})
     * @param variants   the variants compared, in order
     * @param rounds     each round's value per variant (a variant missing from a round was not run in it)
     * @param medians    the median per variant
     * @param statistics other statistics by name ({@code p99 HTTP}, ...)
     * @param ratios     the ratios the bench reports, with their goals
     */
    public record Measurement(String id, String title, String unit, List<String> variants, List<Map<String, Double>> rounds,
                              Map<String, Double> medians, Map<String, Double> statistics, List<Ratio> ratios) {
    }

    /**
     * A ratio and its goal.
     *
     * @param name  what is divided by what
     * @param value the ratio
     * @param goal  the goal as written ({@code <= 1.03}, {@code >= 50}); null when there is none
     * @param met   whether the goal was met; null when there is no goal
     */
    public record Ratio(String name, double value, String goal, Boolean met) {
    }

    public static BenchResult read(Path file) {
        try {
            return of(new ObjectMapper().readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static BenchResult of(JsonNode n, String from) {
        if (!SCHEMA.equals(n.path("schema").asText())) {
            throw new IllegalArgumentException(from + " is not a " + SCHEMA + " file (schema: " + n.path("schema").asText("missing") + ")");
        }
        List<Measurement> ms = new ArrayList<>();
        for (JsonNode m : n.path("measurements")) {
            List<String> variants = new ArrayList<>();
            m.path("variants").forEach(v -> variants.add(v.asText()));
            List<Map<String, Double>> rounds = new ArrayList<>();
            m.path("rounds").forEach(r -> rounds.add(numbers(r)));
            List<Ratio> ratios = new ArrayList<>();
            for (JsonNode r : m.path("ratios")) {
                ratios.add(new Ratio(r.path("name").asText(), r.path("value").asDouble(),
                        r.hasNonNull("goal") ? r.get("goal").asText() : null, r.hasNonNull("met") ? r.get("met").asBoolean() : null));
            }
            ms.add(new Measurement(m.path("id").asText(), m.path("title").asText(), m.path("unit").asText(), variants, rounds,
                    numbers(m.path("medians")), numbers(m.path("statistics")), ratios));
        }
        return new BenchResult(n.path("bench").asText(), n.path("title").asText(), n.path("command").asText(),
                n.path("startedAt").asText(), n.path("finishedAt").asText(), texts(n.path("machine")), texts(n.path("parameters")), ms);
    }

    private static Map<String, Double> numbers(JsonNode object) {
        Map<String, Double> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                out.put(e.getKey(), e.getValue().asDouble());
            }
        });
        return out;
    }

    private static Map<String, String> texts(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return out;
    }
}
