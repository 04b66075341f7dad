package dev.kindling.connect.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Formats rows as a plain-text table for logs. */
public final class RowTable {
    private RowTable() {
    }

    public static String format(StructType schema, List<Row> rows) {
        String[] names = schema.fieldNames();
        int[] widths = new int[names.length];
        List<String[]> cells = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            widths[i] = names[i].length();
        }
        for (Row r : rows) {
            String[] line = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                Object v = r.get(i);
                line[i] = v == null ? "null" : v.toString();
                widths[i] = Math.max(widths[i], line[i].length());
            }
            cells.add(line);
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, names, widths);
        StringBuilder rule = new StringBuilder();
        for (int w : widths) {
            rule.append('+').append("-".repeat(w + 2));
        }
        out.append(rule).append("+\n");
        for (String[] line : cells) {
            appendLine(out, line, widths);
        }
        return out.toString();
    }

    private static void appendLine(StringBuilder out, String[] values, int[] widths) {
        for (int i = 0; i < values.length; i++) {
            out.append("| ").append(values[i]).append(" ".repeat(widths[i] - values[i].length() + 1));
        }
        out.append("|\n");
    }
}
