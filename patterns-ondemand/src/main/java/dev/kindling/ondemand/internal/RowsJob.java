package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Processor;
import dev.kindling.ondemand.InvalidParamsException;
import dev.kindling.ondemand.Job;
import dev.kindling.ondemand.JobContext;
import dev.kindling.service.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Rows in, rows out: the request body (or a configured source) through a processor; the result is
 * {@code {"rows": [...], "truncated": bool}} with at most {@code maxRows} rows, written as
 * {@code Dataset.toJSON()} writes them ({@link RowsJson}).
 */
public final class RowsJob implements Job<JsonNode, Map<String, Object>> {
    private static final ObjectMapper JSON = Json.mapper();

    private final BatchReadable source;
    private final Processor processor;
    private final int maxRows;

    public RowsJob(BatchReadable source, Processor processor, int maxRows) {
        this.source = source;
        this.processor = Objects.requireNonNull(processor, "processor");
        if (maxRows < 1) {
            throw new ConfigurationException("maxRows must be at least 1; got " + maxRows);
        }
        this.maxRows = maxRows;
    }

    @Override
    public Map<String, Object> run(JobContext context, JsonNode params) throws Exception {
        SparkSession spark = context.spark();
        Dataset<Row> input = source != null ? source.read(spark) : bodyAsRows(spark, params);
        Dataset<Row> out = processor.process(input);
        List<String> lines = RowsJson.first(out, maxRows + 1);
        List<JsonNode> rows = new ArrayList<>(Math.min(lines.size(), maxRows));
        for (int i = 0; i < lines.size() && i < maxRows; i++) {
            rows.add(JSON.readTree(lines.get(i)));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", rows);
        result.put("truncated", lines.size() > maxRows);
        return result;
    }

    /** Checks that the body is a JSON object or an array of objects (the input rows). */
    public static void checkBody(JsonNode body) {
        toLines(body);
    }

    private static Dataset<Row> bodyAsRows(SparkSession spark, JsonNode body) {
        return spark.read().json(spark.createDataset(toLines(body), Encoders.STRING()));
    }

    private static List<String> toLines(JsonNode body) {
        List<String> lines = new ArrayList<>();
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw new InvalidParamsException("body", "a JSON object or an array of JSON objects (the input rows)", "empty");
        }
        if (body.isObject()) {
            lines.add(body.toString());
        } else if (body.isArray()) {
            int i = 0;
            for (JsonNode row : body) {
                if (!row.isObject()) {
                    throw new InvalidParamsException("[" + i + "]", "a JSON object (one input row)", row);
                }
                lines.add(row.toString());
                i++;
            }
        } else {
            throw new InvalidParamsException("body", "a JSON object or an array of JSON objects (the input rows)", body);
        }
        return lines;
    }
}
