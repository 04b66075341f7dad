package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.FileSink;
import dev.kindling.connect.FileSource;
import dev.kindling.connect.Options;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructType;

/** {@code file:/path?format=...}. */
public final class FileFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public String usage() {
        return "file:/path?format=csv|json|parquet|text|orc  (files; sink options mode, partitionBy, perBatch)";
    }

    @Override
    public Set<String> sourceOptions() {
        return Set.of("format", "schema", "header", "maxFilesPerTrigger", "option.*");
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("format", "mode", "partitionBy", "perBatch", "header", "option.*");
    }

    private static String path(ConnectorUri uri) {
        if (uri.path().isBlank()) {
            throw new ConfigurationException("'" + uri.redacted() + "' names no path; write file:/absolute/path");
        }
        return uri.path();
    }

    private static Map<String, String> passThrough(Options options) {
        Map<String, String> out = new HashMap<>();
        options.withPrefix("option.").forEach((k, v) -> out.put(k.substring("option.".length()), v));
        options.get("header").ifPresent(h -> out.put("header", Boolean.toString(options.bool("header", true))));
        return out;
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        String path = path(uri);
        String format = options.oneOf("format", FileSink.formatOf(path), FileSink.FORMATS);
        StructType schema = null;
        if (options.has("schema")) {
            try {
                schema = StructType.fromDDL(options.get("schema").orElseThrow());
            } catch (Exception e) { // Spark's ParseException is a checked exception to Java
                throw new ConfigurationException("option 'schema' of " + uri.redacted() + " is not a DDL schema such as "
                        + "\"id INT, name STRING\": " + e.getMessage(), e);
            }
        }
        Map<String, String> reader = passThrough(options);
        if (format.equals("csv")) {
            reader.putIfAbsent("header", "true");
        }
        options.get("maxFilesPerTrigger").ifPresent(v ->
                reader.put("maxFilesPerTrigger", Integer.toString(options.integer("maxFilesPerTrigger", 1, 1, Integer.MAX_VALUE))));
        return new FileSource(path, format, schema, reader);
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        String path = path(uri);
        String format = options.oneOf("format", FileSink.formatOf(path), FileSink.FORMATS);
        String mode = options.oneOf("mode", "append", FileSink.MODES);
        List<String> partitionBy = options.get("partitionBy")
                .map(p -> Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        return new FileSink(path, format, mode, partitionBy, options.bool("perBatch", false), passThrough(options));
    }
}
