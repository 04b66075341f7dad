package dev.kindling.site.bench;

import dev.kindling.site.Adoc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The benchmark results page, from {@code bench/results/*.json}: a summary chart and table of every
 * ratio against its goal, then per bench its command, machine, medians, ratios, a chart of every
 * round and the rounds themselves. A bench without a result file is listed as having no recorded
 * result yet. Charts go to {@code images/bench/} and the files to {@code bench/results/} under the
 * site's output folder.
 *
 * <pre>{@code
 * String adoc = new BenchmarkPage(root.resolve("bench"), siteOutput).render();
 * }</pre>
 */
public final class BenchmarkPage {
    private static final int ROUNDS_IN_TABLE = 30;

    private final Path benchDir;
    private final Path output;

    public BenchmarkPage(Path benchDir, Path siteOutput) {
        this.benchDir = benchDir;
        this.output = siteOutput;
    }

    /**
     * The benches: folders of {@code bench/} with a {@code pom.xml} (but {@code harness}, the loop they share), and any
     * other result file's name, sorted.
     */
    public List<String> benches() {
        TreeSet<String> names = new TreeSet<>();
        list(benchDir).stream().filter(p -> Files.isRegularFile(p.resolve("pom.xml")) && !p.getFileName().toString().equals("harness"))
                .forEach(p -> names.add(p.getFileName().toString()));
        list(benchDir.resolve("results")).stream().map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                .forEach(n -> names.add(n.substring(0, n.length() - ".json".length())));
        List<String> ordered = new ArrayList<>();
        for (String first : List.of("core", "ondemand", "continuous", "streaming", "cluster")) {
            if (names.remove(first)) {
                ordered.add(first);
            }
        }
        ordered.addAll(names);
        return ordered;
    }

    public String render() {
        List<String> benches = benches();
        List<BenchResult> results = new ArrayList<>();
        for (String b : benches) {
            Path f = benchDir.resolve("results").resolve(b + ".json");
            if (Files.isRegularFile(f)) {
                results.add(BenchResult.read(f));
                copy(f, output.resolve("bench/results/" + b + ".json"));
            }
        }
        StringBuilder out = new StringBuilder();
        readmeSummary(out, BenchReadme.read(benchDir.resolve("README.md")));
        summary(out, results);
        for (String b : benches) {
            BenchResult r = results.stream().filter(x -> x.bench().equals(b)).findFirst().orElse(null);
            bench(out, b, r);
        }
        return out.toString();
    }

    private void readmeSummary(StringBuilder out, BenchReadme readme) {
        if (readme == null) {
            return;
        }
        out.append("[#latest]\n== ").append(Adoc.text(readme.title())).append("\n\n");
        out.append("From the newest summary of ").append(Adoc.code("bench/README.md")).append(", where each run's results are recorded.\n\n");
        for (String paragraph : readme.intro().split("\n\\s*\n")) {
            if (!paragraph.isBlank()) {
                out.append(BenchReadme.cell(paragraph.replace("\n", " "))).append("\n\n");
            }
        }
        List<SvgChart.Bar> bars = readme.bars();
        if (!bars.isEmpty()) {
            write(output.resolve("images/bench/summary.svg"), SvgChart.ratios(bars));
            out.append("image::images/bench/summary.svg[\"The results of bench/README.md that have a numeric goal, on a log scale; ")
                    .append("green: goal met, red: not met; the black mark is the goal\"]\n\n");
        }
        out.append("[cols=\"").append("1,".repeat(Math.max(0, readme.header().size() - 1))).append("1\",options=\"header\"]\n|===\n");
        readme.header().forEach(h -> out.append("| ").append(BenchReadme.cell(h)).append(' '));
        out.append("\n\n");
        for (List<String> row : readme.rows()) {
            for (int i = 0; i < readme.header().size(); i++) {
                out.append("| ").append(i < row.size() ? BenchReadme.cell(row.get(i)) : "").append('\n');
            }
            out.append('\n');
        }
        out.append("|===\n\n");
        out.append("[#commands]\n=== The commands that produced them\n\nFrom the project root, after ")
                .append(Adoc.code("mvn -B -q install -DskipTests")).append(":\n\n");
        out.append("[cols=\"1,5\",options=\"header\"]\n|===\n| Bench | Command\n\n");
        readme.commands().forEach((bench, command) -> out.append("| ").append(bench).append("\n| ").append(Adoc.code(command)).append("\n\n"));
        out.append("|===\n\n");
    }

    private void summary(StringBuilder out, List<BenchResult> results) {
        out.append("[#summary]\n== Result files\n\n");
        List<SvgChart.Bar> bars = new ArrayList<>();
        StringBuilder table = new StringBuilder("[cols=\"2,4,1,1,1\",options=\"header\"]\n|===\n| Bench | Ratio | Value | Goal | Met\n\n");
        for (BenchResult r : results) {
            for (BenchResult.Measurement m : r.measurements()) {
                for (BenchResult.Ratio ratio : m.ratios()) {
                    bars.add(new SvgChart.Bar(r.bench() + ": " + ratio.name(), ratio.value(), ratio.goal(), ratio.met()));
                    table.append("| <<").append(Adoc.id("bench", r.bench())).append(",").append(r.bench()).append(">>\n| ")
                            .append(Adoc.text(m.title() + ": " + ratio.name())).append("\n| ").append(SvgChart.number(ratio.value()))
                            .append("\n| ").append(ratio.goal() == null ? "" : Adoc.code(ratio.goal())).append("\n| ")
                            .append(ratio.met() == null ? "" : ratio.met() ? "yes" : "*no*").append("\n\n");
                }
            }
        }
        if (bars.isEmpty()) {
            out.append("NOTE: No result file is in ").append(Adoc.code("bench/results/")).append(" yet; the results above are the ones ")
                    .append(Adoc.code("bench/README.md")).append(" records.\n\n");
            return;
        }
        write(output.resolve("images/bench/ratios.svg"), SvgChart.ratios(bars));
        out.append("image::images/bench/ratios.svg[\"Every ratio the benches measured, on a log scale around 1, with its goal\"]\n\n");
        out.append(table).append("|===\n\n");
    }

    private void bench(StringBuilder out, String bench, BenchResult r) {
        if (r == null) {
            return;
        }
        out.append("[#").append(Adoc.id("bench", bench)).append("]\n== ").append(bench).append(": ").append(Adoc.text(r.title())).append("\n\n");
        out.append("Produced by\n\n").append(Adoc.listing("source,shell", null, r.command())).append("\n");
        out.append("[cols=\"1,3\"]\n|===\n");
        r.machine().forEach((k, v) -> out.append("| ").append(Adoc.text(k)).append(" | ").append(Adoc.text(v)).append("\n"));
        out.append("| started | ").append(Adoc.text(r.startedAt())).append("\n| finished | ").append(Adoc.text(r.finishedAt())).append("\n");
        r.parameters().forEach((k, v) -> out.append("| ").append(Adoc.text(k)).append(" | ").append(Adoc.text(v)).append("\n"));
        out.append("|===\n\n");
        for (BenchResult.Measurement m : r.measurements()) {
            measurement(out, bench, m);
        }
        out.append("The whole result: link:bench/results/").append(bench).append(".json[").append(bench).append(".json].\n\n");
    }

    private void measurement(StringBuilder out, String bench, BenchResult.Measurement m) {
        out.append("[#").append(Adoc.id("bench-" + bench, m.id())).append("]\n=== ").append(Adoc.text(m.title())).append("\n\n");
        out.append("[cols=\"3,2\",options=\"header\"]\n|===\n| Median | ").append(Adoc.text(m.unit())).append("\n\n");
        m.medians().forEach((k, v) -> out.append("| ").append(Adoc.text(k)).append(" | ").append(SvgChart.number(v)).append("\n"));
        m.statistics().forEach((k, v) -> out.append("| ").append(Adoc.text(k)).append(" | ").append(SvgChart.number(v)).append("\n"));
        out.append("|===\n\n");
        for (BenchResult.Ratio ratio : m.ratios()) {
            out.append("* ").append(Adoc.text(ratio.name())).append(": *").append(SvgChart.number(ratio.value())).append("*");
            if (ratio.goal() != null) {
                out.append(" (goal ").append(Adoc.code(ratio.goal())).append(ratio.met() == null ? "" : ratio.met() ? ": met" : ": not met")
                        .append(")");
            }
            out.append("\n");
        }
        out.append("\n");
        if (m.rounds().size() >= 2) {
            String file = "images/bench/" + bench + "-" + Adoc.id("m", m.id()).substring(2) + ".svg";
            write(output.resolve(file), SvgChart.rounds(m.title(), m.unit(), m.variants(), m.rounds(), m.medians()));
            out.append("image::").append(file).append("[\"Every round: ").append(m.title().replace("\"", "'").replace("]", ")"))
                    .append("\"]\n\n");
        }
        rounds(out, m);
    }

    private static void rounds(StringBuilder out, BenchResult.Measurement m) {
        if (m.rounds().isEmpty()) {
            return;
        }
        if (m.rounds().size() > ROUNDS_IN_TABLE) {
            out.append(m.rounds().size()).append(" rounds; every one is in the result file.\n\n");
            return;
        }
        out.append(".Every round (").append(m.unit()).append(")\n[%collapsible]\n====\n");
        out.append("[cols=\"").append("1,".repeat(m.variants().size())).append("1\",options=\"header\"]\n|===\n| Round");
        m.variants().forEach(v -> out.append(" | ").append(Adoc.text(v)));
        out.append("\n\n");
        for (int i = 0; i < m.rounds().size(); i++) {
            Map<String, Double> round = m.rounds().get(i);
            out.append("| ").append(i + 1);
            m.variants().forEach(v -> out.append(" | ").append(round.containsKey(v) ? SvgChart.number(round.get(v)) : ""));
            out.append("\n");
        }
        out.append("|===\n====\n\n");
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
