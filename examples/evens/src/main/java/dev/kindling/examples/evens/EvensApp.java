package dev.kindling.examples.evens;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.WriteResult;
import dev.kindling.spark.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The hello world of Spark services: counts the even numbers in {@code 0..N-1} with a
 * range source, a filter processor and two sinks — the count printed and written as JSON.
 *
 * <pre>
 * bin/run-example evens 1000                  # prints "evens in 0..999: 500"
 * bin/run-example evens 1000 /tmp/evens-out   # also writes the count as JSON there
 * spark-submit --class dev.kindling.examples.evens.EvensApp kindling-example-evens-app.jar 1000
 * </pre>
 *
 * <p>Arguments: {@code N} (1 to 10^12, default 1000) and an optional output folder (default: a new
 * temporary folder). Spark settings follow {@link SparkSessions}: local[*] unless spark-submit,
 * {@code SPARK_MASTER} or {@code spark.*} properties say otherwise.
 */
public final class EvensApp {
    private EvensApp() {
    }

    /** The pipeline: {@code range:0..n} → keep even ids → count → the sink at {@code outputUri}. */
    public static Pipeline pipeline(long n, String outputUri) {
        Connectors connectors = Connectors.builtIn();
        return Pipeline.builder(PipelineKind.BATCH)
                .name("evens")
                .source(connectors.source("range:0.." + n))
                .process(Processor.filter("id % 2 = 0"))
                .process(Processor.sql("SELECT count(*) AS evens FROM input"))
                .sink(connectors.sink(outputUri, Map.of("format", "json", "mode", "overwrite")))
                .build();
    }

    /** Runs the pipeline and returns the count read back from the JSON it wrote. */
    public static long run(SparkSession spark, long n, Path output) {
        WriteResult written = pipeline(n, "file:" + output.toAbsolutePath()).runBatch(spark, 0);
        if (written.rowsWritten() != 1) {
            throw new IllegalStateException("expected one result row, the sink wrote " + written.rowsWritten());
        }
        List<Row> rows = spark.read().json(output.toAbsolutePath().toString()).collectAsList();
        return rows.get(0).getLong(rows.get(0).fieldIndex("evens"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 2) {
            System.err.println("usage: EvensApp [N] [OUTPUT_DIR]   (N from 1 to 10^12, default 1000)");
            System.exit(2);
        }
        long n;
        try {
            n = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        } catch (NumberFormatException e) {
            System.err.println("N must be a whole number from 1 to 10^12; got '" + args[0] + "'");
            System.exit(2);
            return;
        }
        if (n < 1 || n > 1_000_000_000_000L) {
            System.err.println("N must be from 1 to 10^12; got " + n);
            System.exit(2);
        }
        Path output = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("kindling-evens-").resolve("out");
        SparkSession spark = SparkSessions.create("evens");
        try {
            long evens = run(spark, n, output);
            System.out.println("evens in 0.." + (n - 1) + ": " + evens);
            System.out.println("written as JSON to " + output.toAbsolutePath());
        } finally {
            spark.stop();
        }
    }
}
