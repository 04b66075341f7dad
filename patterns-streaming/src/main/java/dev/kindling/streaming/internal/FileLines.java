package dev.kindling.streaming.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * One table file as read: its header and its rows still as JSON lines. {@link #parse} turns a list
 * of them into {@link TableStore.Part}s with one Spark read per distinct schema, not one per file.
 */
record FileLines(long batchId, TableStore.Kind kind, List<String> keys, StructType schema, List<String> lines) {

    /** The parts of {@code files}, in the same order, rows parsed by Spark with each file's schema (failing on a malformed row). */
    static List<TableStore.Part> parse(SparkSession spark, List<FileLines> files) {
        Map<StructType, List<FileLines>> bySchema = new LinkedHashMap<>();
        files.forEach(f -> bySchema.computeIfAbsent(f.schema(), s -> new ArrayList<>()).add(f));
        Map<FileLines, List<Row>> rows = new java.util.IdentityHashMap<>();
        for (var group : bySchema.entrySet()) {
            List<String> all = new ArrayList<>();
            group.getValue().forEach(f -> all.addAll(f.lines()));
            List<Row> parsed = all.isEmpty() ? List.of()
                    : spark.read().schema(group.getKey()).option("mode", "FAILFAST")
                            .json(spark.createDataset(all, Encoders.STRING())).collectAsList();
            int from = 0;
            for (FileLines f : group.getValue()) {
                rows.put(f, parsed.subList(from, from + f.lines().size()));
                from += f.lines().size();
            }
        }
        List<TableStore.Part> parts = new ArrayList<>(files.size());
        for (FileLines f : files) {
            parts.add(new TableStore.Part(f.batchId(), f.kind(), f.keys(), f.schema(), rows.get(f)));
        }
        return parts;
    }
}
