package dev.kindling.tutorials;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check of a command's output against the output a page shows: each non-blank line of the expected block must
 * match a line of the actual output, in the same order (other lines may come between). In an expected line,
 * {@code ...} stands for any text; terminal colour codes in the actual output are left out; with a tolerance, every number matches a number within that distance.
 *
 * <pre>{@code
 * new ExpectedOutput("{\"pi\":3.14...,\"samples\":1000000...", 0.01).mismatch("{\"pi\":3.1418,\"samples\":1000000}");
 * // Optional.empty(): it matches (3.14 is within 0.01 of 3.1418, "..." takes the rest)
 * }</pre>
 */
public final class ExpectedOutput {
    private static final String NUMBER = "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Pattern TOKENS = Pattern.compile("\\.\\.\\.|" + NUMBER);

    private final List<String> expected;
    private final double tolerance;

    /**
     * @param expected  the expected block's text
     * @param tolerance the largest difference allowed between an expected and an actual number; 0 for exact text
     */
    public ExpectedOutput(String expected, double tolerance) {
        this.expected = expected.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        this.tolerance = tolerance;
    }

    /** Empty when {@code actual} matches, else what did not: the first expected line not found. */
    public Optional<String> mismatch(String actual) {
        List<String> lines = ANSI.matcher(actual).replaceAll("").lines().map(String::strip).toList();
        int from = 0;
        for (String want : expected) {
            Line line = compile(want);
            int found = -1;
            for (int i = from; i < lines.size() && found < 0; i++) {
                if (line.matches(lines.get(i))) {
                    found = i;
                }
            }
            if (found < 0) {
                return Optional.of("expected a line matching '" + want + "'"
                        + (tolerance > 0 ? " (numbers within " + tolerance + ")" : "")
                        + (from > 0 ? " after line " + from + " ('" + lines.get(from - 1) + "')" : ""));
            }
            from = found + 1;
        }
        return Optional.empty();
    }

    private Line compile(String want) {
        StringBuilder regex = new StringBuilder();
        List<Double> numbers = new ArrayList<>();
        Matcher m = TOKENS.matcher(want);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(want.substring(last, m.start())));
            if (m.group().equals("...")) {
                regex.append(".*?");
            } else if (tolerance > 0) {
                regex.append("(").append(NUMBER).append(")");
                numbers.add(Double.parseDouble(m.group()));
            } else {
                regex.append(Pattern.quote(m.group()));
            }
            last = m.end();
        }
        regex.append(Pattern.quote(want.substring(last)));
        return new Line(Pattern.compile(regex.toString()), numbers, tolerance);
    }

    private record Line(Pattern pattern, List<Double> numbers, double tolerance) {
        boolean matches(String actual) {
            Matcher m = pattern.matcher(actual);
            if (!m.matches()) {
                return false;
            }
            for (int g = 0; g < numbers.size(); g++) {
                if (Math.abs(Double.parseDouble(m.group(g + 1)) - numbers.get(g)) > tolerance) {
                    return false;
                }
            }
            return true;
        }
    }
}
