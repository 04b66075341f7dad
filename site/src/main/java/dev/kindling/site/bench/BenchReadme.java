package dev.kindling.site.bench;

import dev.kindling.site.Adoc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The results the benches' runs recorded in {@code bench/README.md}: its newest summary table (the
 * first {@code ## Summary} section), the command of each bench (the table at the top), and a chart
 * of every result that is a number with a numeric goal.
 *
 * <pre>{@code
 * BenchReadme readme = BenchReadme.read(Path.of("bench/README.md"));
 * readme.title();     // "Summary after the component model (2026-11-26, 2 cores, Java 17, Spark 4.2.0)"
 * readme.bars();      // core: Kindling / plain Spark ... 1.022, goal <= 1.03, met
 * }</pre>
 *
 * @param title    the summary section's title
 * @param intro    its paragraphs before the table
 * @param header   the table's header cells
 * @param rows     the table's rows
 * @param commands each bench's command, by bench folder ({@code core}, {@code ondemand}, ...)
 */
public record BenchReadme(String title, String intro, List<String> header, List<List<String>> rows, Map<String, String> commands) {
    private static final Pattern NUMBER = Pattern.compile("(\\d+(?:[.,]\\d+)*)");
    private static final Pattern MODULE = Pattern.compile("\\[([a-z]+)]\\(");

    /** The README's newest summary; null when it has none. */
    public static BenchReadme read(Path readme) {
        if (!Files.isRegularFile(readme)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> commands = new LinkedHashMap<>();
        int i = 0;
        for (; i < lines.size() && !lines.get(i).startsWith("## Summary"); i++) {
            List<String> cells = cells(lines.get(i));
            Matcher m = MODULE.matcher(lines.get(i));
            if (cells.size() >= 3 && m.find()) {
                commands.put(m.group(1), cells.get(cells.size() - 1).replace("`", ""));
            }
        }
        if (i == lines.size()) {
            return null;
        }
        String title = lines.get(i).substring(3).trim();
        StringBuilder intro = new StringBuilder();
        int j = i + 1;
        for (; j < lines.size() && !lines.get(j).startsWith("|"); j++) {
            intro.append(lines.get(j)).append('\n');
        }
        List<String> header = j < lines.size() ? cells(lines.get(j)) : List.of();
        List<List<String>> rows = new ArrayList<>();
        for (j += 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
            rows.add(cells(lines.get(j)));
        }
        return new BenchReadme(title, intro.toString().trim(), header, rows, commands);
    }

    private static List<String> cells(String line) {
        if (!line.startsWith("|")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : line.substring(1, line.lastIndexOf('|')).split("\\|")) {
            out.add(c.trim());
        }
        return out;
    }

    /** The bench folder a row is about, from its first words ({@code on-demand: ...} is {@code ondemand}). */
    public static String benchOf(String firstCell) {
        String head = firstCell.contains(":") ? firstCell.substring(0, firstCell.indexOf(':')) : firstCell;
        return head.toLowerCase(Locale.ROOT).replace("-", "").trim();
    }

    /** A bar per row whose result starts with a number and whose goal holds one. */
    public List<SvgChart.Bar> bars() {
        int result = header.indexOf("result");
        int goal = header.indexOf("goal");
        List<SvgChart.Bar> out = new ArrayList<>();
        if (result < 0 || goal < 0) {
            return out;
        }
        for (List<String> row : rows) {
            if (row.size() <= Math.max(result, goal)) {
                continue;
            }
            String value = row.get(result).replace("**", "").replaceFirst("^median ratio ", "").trim();
            Matcher v = NUMBER.matcher(value);
            String goalText = row.get(goal);
            Matcher g = Pattern.compile("([≤≥<>]=?)\\s*(\\d+(?:\\.\\d+)?)").matcher(goalText);
            if (!v.lookingAt() || !g.find()) {
                continue;
            }
            String op = g.group(1).replace("≤", "<=").replace("≥", ">=");
            Boolean met = goalText.contains("not met") ? Boolean.FALSE : goalText.contains("met") ? Boolean.TRUE : null;
            String label = row.get(0).replace("`", "").replace("**", "");
            out.add(new SvgChart.Bar(label.length() > 46 ? label.substring(0, 45) + "…" : label,
                    Double.parseDouble(v.group(1).replace(",", "")), op + " " + g.group(2), met));
        }
        return out;
    }

    /** A Markdown cell as AsciiDoc: code spans in monospace, the rest as written, bold marks dropped. */
    public static String cell(String markdown) {
        StringBuilder out = new StringBuilder();
        String[] parts = markdown.split("`", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue;
            }
            out.append(i % 2 == 1 ? Adoc.code(parts[i]) : Adoc.text(parts[i].replace("**", "")));
        }
        return out.toString();
    }
}
