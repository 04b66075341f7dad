package dev.kindling.connect;

import dev.kindling.connect.internal.CountedWrite;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.streaming.DataStreamWriter;

/**
 * Writes files in {@code csv}, {@code json}, {@code parquet}, {@code text} or {@code orc}.
 *
 * <pre>{@code
 * Sink out = Connectors.builtIn().sink("file:/data/out?format=parquet&mode=overwrite&partitionBy=day");
 * Sink versioned = Connectors.builtIn().sink("file:/data/models?format=parquet&perBatch=true");
 * }</pre>
 *
 * <p>URI options: {@code format} (default: from the extension, else {@code parquet}); {@code mode}
 * — {@code append} (default), {@code overwrite}, {@code errorifexists}, {@code ignore};
 * {@code partitionBy} (comma-separated columns); {@code perBatch} ({@code true}: each batch goes to
 * its own folder {@code PATH/batch_id=N}, written to a temporary folder and renamed into place, so
 * a re-run batch replaces its earlier attempt); {@code option.NAME=VALUE} passes {@code NAME} to Spark's writer.
 *
 * <p>Delivery: with {@code perBatch=true} or {@code mode=overwrite} a batch is {@link DeliveryGuarantee#IDEMPOTENT};
 * appending is {@link DeliveryGuarantee#AT_LEAST_ONCE}. As a streaming sink (with a checkpoint) Spark's
 * file sink is {@link DeliveryGuarantee#EXACTLY_ONCE}.
 */
public final class FileSink implements BatchWritable, StreamWritable {
    /** The formats files can be read and written in. */
    public static final List<String> FORMATS = List.of("csv", "json", "parquet", "text", "orc");
    /** The save modes of a batch write. */
    public static final List<String> MODES = List.of("append", "overwrite", "errorifexists", "ignore");

    private final String path;
    private final String format;
    private final String mode;
    private final List<String> partitionBy;
    private final boolean perBatch;
    private final Map<String, String> writerOptions;

    public FileSink(String path, String format, String mode, List<String> partitionBy, boolean perBatch,
                    Map<String, String> writerOptions) {
        this.path = Objects.requireNonNull(path, "path");
        this.format = checkFormat(format);
        String m = Objects.requireNonNull(mode, "mode").toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) {
            throw new ConfigurationException("file sink mode must be one of " + String.join(", ", MODES) + "; got '" + mode + "'");
        }
        this.mode = m;
        this.partitionBy = List.copyOf(partitionBy);
        this.perBatch = perBatch;
        this.writerOptions = Map.copyOf(writerOptions);
    }

    static String checkFormat(String format) {
        String f = Objects.requireNonNull(format, "format").toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(f)) {
            throw new ConfigurationException("file format must be one of " + String.join(", ", FORMATS) + "; got '" + format + "'");
        }
        return f;
    }

    /** The format implied by a path's extension, or {@code parquet}. */
    public static String formatOf(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        for (String f : FORMATS) {
            if (lower.endsWith("." + f) || (f.equals("text") && lower.endsWith(".txt"))) {
                return f;
            }
        }
        return "parquet";
    }

    @Override
    public String name() {
        return "file:" + path + "?format=" + format + "&mode=" + mode + (perBatch ? "&perBatch=true" : "");
    }

    public String path() {
        return path;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return perBatch || mode.equals("overwrite") ? DeliveryGuarantee.IDEMPOTENT : DeliveryGuarantee.AT_LEAST_ONCE;
    }

    @Override
    public DeliveryGuarantee streamGuarantee() {
        return DeliveryGuarantee.EXACTLY_ONCE;
    }

    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        if (!perBatch) {
            return CountedWrite.run(data, batchId, d -> configure(d.write()).mode(saveMode()).save(path));
        }
        Path target = new Path(path, "batch_id=" + batchId);
        Path temporary = new Path(path, "_tmp_batch_id=" + batchId + "_" + UUID.randomUUID());
        WriteResult result = CountedWrite.run(data, batchId,
                d -> configure(d.write()).mode(SaveMode.ErrorIfExists).save(temporary.toString()));
        try {
            FileSystem fs = target.getFileSystem(data.sparkSession().sparkContext().hadoopConfiguration());
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new KindlingException("cannot replace " + target + " with the re-run of batch " + batchId);
            }
            if (!fs.rename(temporary, target)) {
                throw new KindlingException("cannot rename " + temporary + " to " + target);
            }
        } catch (IOException e) {
            throw new KindlingException("cannot publish batch " + batchId + " to " + target + ": " + e.getMessage(), e);
        }
        return result;
    }

    private DataFrameWriter<Row> configure(DataFrameWriter<Row> writer) {
        DataFrameWriter<Row> w = writer.format(format).options(writerOptions);
        if (format.equals("csv") && !writerOptions.containsKey("header")) {
            w = w.option("header", true);
        }
        if (!partitionBy.isEmpty()) {
            w = w.partitionBy(partitionBy.toArray(String[]::new));
        }
        return w;
    }

    private SaveMode saveMode() {
        return switch (mode) {
            case "overwrite" -> SaveMode.Overwrite;
            case "errorifexists" -> SaveMode.ErrorIfExists;
            case "ignore" -> SaveMode.Ignore;
            default -> SaveMode.Append;
        };
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        DataStreamWriter<Row> w = data.writeStream().format(format).options(writerOptions).option("path", path);
        if (format.equals("csv") && !writerOptions.containsKey("header")) {
            w = w.option("header", true);
        }
        if (!partitionBy.isEmpty()) {
            w = w.partitionBy(partitionBy.toArray(String[]::new));
        }
        return w;
    }

    @Override
    public String toString() {
        return name();
    }
}
