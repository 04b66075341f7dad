package dev.kindling.connect;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.StreamReadable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Reads files in {@code csv}, {@code json}, {@code parquet}, {@code text} or {@code orc}, as a
 * batch or as a stream of new files.
 *
 * <pre>{@code
 * Source landing = Connectors.builtIn().source("file:/data/landing?format=csv&schema=id INT, name STRING");
 * }</pre>
 *
 * <p>URI options: {@code format} (default: from the file extension, else {@code parquet});
 * {@code schema}, a DDL string (required for a streaming read of csv, json, parquet or orc);
 * {@code header} (csv, default {@code true}); {@code maxFilesPerTrigger} (streaming);
 * {@code option.NAME=VALUE} passes {@code NAME} to Spark's reader as is.
 */
public final class FileSource implements BatchReadable, StreamReadable {
    private final String path;
    private final String format;
    private final StructType schema;
    private final Map<String, String> readerOptions;

    /**
     * @param schema        may be null for a batch read (Spark infers it)
     * @param readerOptions options handed to Spark's reader
     */
    public FileSource(String path, String format, StructType schema, Map<String, String> readerOptions) {
        this.path = Objects.requireNonNull(path, "path");
        this.format = FileSink.checkFormat(format);
        this.schema = schema;
        this.readerOptions = Map.copyOf(new LinkedHashMap<>(readerOptions));
    }

    @Override
    public String name() {
        return "file:" + path + "?format=" + format;
    }

    public String path() {
        return path;
    }

    public String format() {
        return format;
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        var reader = spark.read().format(format).options(readerOptions);
        if (schema != null) {
            reader = reader.schema(schema);
        }
        return reader.load(path);
    }

    @Override
    public Dataset<Row> readStream(SparkSession spark) {
        var reader = spark.readStream().format(format).options(readerOptions);
        if (schema != null) {
            reader = reader.schema(schema);
        } else if (!format.equals("text")) {
            throw new ConfigurationException("a streaming read of " + name() + " needs a schema: add the option "
                    + "schema=\"col1 INT, col2 STRING\"");
        }
        return reader.load(path);
    }

    @Override
    public String toString() {
        return name();
    }
}
