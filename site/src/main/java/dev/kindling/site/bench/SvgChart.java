package dev.kindling.site.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Charts of benchmark results as SVG documents, written by the build from the benches' own files.
 *
 * <pre>{@code
 * String svg = SvgChart.rounds("batch pipeline", "ms", measurement.variants(), measurement.rounds(), measurement.medians());
 * String summary = SvgChart.ratios(List.of(new SvgChart.Bar("core: kindling / plain", 1.048, "<= 1.03", false)));
 * }</pre>
 */
public final class SvgChart {
    static final String[] COLORS = {"#b8430b", "#1f5f99", "#3d8f3d", "#7a3d99", "#8f7a1f", "#555555"};
    private static final int WIDTH = 880;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;

    private SvgChart() {
    }

    /** One bar of the ratio chart: a label, the ratio, its goal as written and whether it was met (null: no goal). */
    public record Bar(String label, double value, String goal, Boolean met) {
    }

    /** Every round's value of each variant (a line with its points) and each variant's median (dashed). */
    public static String rounds(String title, String unit, List<String> variants, List<Map<String, Double>> rounds,
                                Map<String, Double> medians) {
        int height = 320;
        int top = 40;
        int bottom = height - 50;
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Map<String, Double> r : rounds) {
            for (double v : r.values()) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        double lo = niceFloor(Math.min(min, max) * 0.9);
        double hi = niceCeil(max * 1.05);
        if (hi <= lo) {
            hi = lo + 1;
        }
        StringBuilder svg = open(height, title);
        yAxis(svg, lo, hi, top, bottom, unit);
        int n = rounds.size();
        double step = n > 1 ? (WIDTH - LEFT - RIGHT) / (double) (n - 1) : 0;
        svg.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, height - 12, "round (1 to " + n + ")", "middle", 12));
        for (int vi = 0; vi < variants.size(); vi++) {
            String variant = variants.get(vi);
            String color = COLORS[vi % COLORS.length];
            List<String> points = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Double v = rounds.get(i).get(variant);
                if (v != null) {
                    points.add(fmt(LEFT + i * step) + "," + fmt(y(v, lo, hi, top, bottom)));
                }
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" points=\"")
                    .append(String.join(" ", points)).append("\"/>\n");
            if (n <= 60) {
                for (String p : points) {
                    String[] xy = p.split(",");
                    svg.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"3\" fill=\"").append(color)
                            .append("\"/>\n");
                }
            }
            Double median = medians.get(variant);
            if (median != null) {
                double my = y(median, lo, hi, top, bottom);
                svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(fmt(my))
                        .append("\" y2=\"").append(fmt(my)).append("\" stroke=\"").append(color).append("\" stroke-dasharray=\"6 4\"/>\n");
            }
            double lx = LEFT + 10 + vi * 200;
            svg.append("<rect x=\"").append(fmt(lx)).append("\" y=\"26\" width=\"12\" height=\"4\" fill=\"").append(color).append("\"/>\n");
            svg.append(text(lx + 16, 31, variant + (median != null ? " (median " + number(median) + ")" : ""), "start", 12));
        }
        return svg.append("</svg>\n").toString();
    }

    /** Ratios on a logarithmic axis around 1, each with its goal as a mark; green when met, red when not, grey without a goal. */
    public static String ratios(List<Bar> bars) {
        int row = 28;
        int top = 40;
        int labelWidth = 430;
        int height = top + bars.size() * row + 40;
        double lo = 0.1;
        double hi = 10;
        for (Bar b : bars) {
            lo = Math.min(lo, b.value() / 1.5);
            hi = Math.max(hi, b.value() * 1.5);
        }
        double logLo = Math.floor(Math.log10(lo));
        double logHi = Math.ceil(Math.log10(hi));
        int x0 = labelWidth + 10;
        int x1 = WIDTH - RIGHT;
        StringBuilder svg = open(height, "Ratios measured by the benches (log scale; 1 = no difference)");
        for (double e = logLo; e <= logHi; e++) {
            double x = x0 + (e - logLo) / (logHi - logLo) * (x1 - x0);
            svg.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(top - 6).append("\" y2=\"")
                    .append(height - 30).append("\" stroke=\"").append(e == 0 ? "#333" : "#ddd").append("\"/>\n");
            svg.append(text(x, height - 14, number(Math.pow(10, e)), "middle", 11));
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = top + i * row;
            double xv = x0 + (Math.log10(b.value()) - logLo) / (logHi - logLo) * (x1 - x0);
            double xOne = x0 + (0 - logLo) / (logHi - logLo) * (x1 - x0);
            String color = b.met() == null ? "#888888" : b.met() ? "#3d8f3d" : "#c0392b";
            svg.append("<rect x=\"").append(fmt(Math.min(xv, xOne))).append("\" y=\"").append(fmt(y + 4)).append("\" width=\"")
                    .append(fmt(Math.max(1, Math.abs(xv - xOne)))).append("\" height=\"").append(row - 10).append("\" fill=\"").append(color)
                    .append("\"/>\n");
            svg.append(text(labelWidth, y + row / 2.0 + 2, b.label() + "  " + number(b.value()), "end", 12));
            Double goal = goalValue(b.goal());
            if (goal != null && goal > 0) {
                double xg = x0 + (Math.log10(goal) - logLo) / (logHi - logLo) * (x1 - x0);
                svg.append("<line x1=\"").append(fmt(xg)).append("\" x2=\"").append(fmt(xg)).append("\" y1=\"").append(fmt(y + 1))
                        .append("\" y2=\"").append(fmt(y + row - 3)).append("\" stroke=\"#000\" stroke-width=\"2\"/>\n");
            }
        }
        return svg.append("</svg>\n").toString();
    }

    /** The number in a goal such as {@code <= 1.03} or {@code >= 50x}; null when there is none. */
    static Double goalValue(String goal) {
        if (goal == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)").matcher(goal);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    private static StringBuilder open(int height, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(" ").append(height).append("\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n");
        svg.append("<title>").append(xml(title)).append("</title>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.append(text(LEFT, 16, title, "start", 14));
        return svg;
    }

    private static void yAxis(StringBuilder svg, double lo, double hi, int top, int bottom, String unit) {
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = y(v, lo, hi, top, bottom);
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(fmt(y))
                    .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#e5e5e5\"/>\n");
            svg.append(text(LEFT - 6, y + 4, number(v), "end", 11));
        }
        svg.append(text(14, (top + bottom) / 2.0, unit, "middle", 12).replace("<text ", "<text transform=\"rotate(-90 14 "
                + fmt((top + bottom) / 2.0) + ")\" "));
    }

    private static double y(double v, double lo, double hi, int top, int bottom) {
        return bottom - (v - lo) / (hi - lo) * (bottom - top);
    }

    private static double niceFloor(double v) {
        if (v <= 0) {
            return 0;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.floor(v / p) * p;
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.ceil(v / p) * p;
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" + size + "\" fill=\"#222\">"
                + xml(s) + "</text>\n";
    }

    /** A number as the pages show it: at most three decimals, no trailing zeros. */
    static String number(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        String s = String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
