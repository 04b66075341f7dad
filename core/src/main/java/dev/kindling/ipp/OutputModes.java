package dev.kindling.ipp;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.analysis.UnsupportedOperationChecker$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.streaming.OutputMode;

/** Chooses and checks a streaming query's output mode against its plan, before the query starts. */
final class OutputModes {
    /** The output modes, in the order they are tried for {@code auto}. */
    static final List<String> MODES = List.of("append", "update", "complete");

    private OutputModes() {
    }

    /**
     * The mode to run {@code result} with: {@code requested}, or for {@code auto} the first of
     * append, update that Spark accepts.
     *
     * @throws ConfigurationException when Spark rejects the requested mode; the message has Spark's
     *         reason and the modes that would work
     */
    static String resolve(Dataset<Row> result, String requested, String queryName) {
        LogicalPlan plan = result.queryExecution().analyzed();
        if (requested.equals("auto")) {
            for (String m : List.of("append", "update")) {
                if (check(plan, m) == null) {
                    return m;
                }
            }
            requested = "update";
        }
        if (!MODES.contains(requested)) {
            throw new ConfigurationException("output mode must be auto, append, update or complete; got '" + requested + "'");
        }
        String problem = check(plan, requested);
        if (problem == null) {
            return requested;
        }
        List<String> working = new ArrayList<>();
        for (String m : MODES) {
            if (check(plan, m) == null) {
                working.add(m);
            }
        }
        throw new ConfigurationException("query '" + queryName + "' cannot run in output mode '" + requested + "': " + problem
                + (working.isEmpty() ? "; no output mode fits this processor" : "; use output mode " + String.join(" or ", working)
                + (requested.equals("append") && working.contains("update") ? " (an aggregation needs complete or update)" : "")));
    }

    private static String check(LogicalPlan plan, String mode) {
        try {
            UnsupportedOperationChecker$.MODULE$.checkForStreaming(plan, sparkMode(mode));
            return null;
        } catch (Exception e) { // AnalysisException is a checked exception in Spark 4
            String m = e.getMessage();
            return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        }
    }

    private static OutputMode sparkMode(String mode) {
        return switch (mode) {
            case "append" -> OutputMode.Append();
            case "update" -> OutputMode.Update();
            default -> OutputMode.Complete();
        };
    }
}
