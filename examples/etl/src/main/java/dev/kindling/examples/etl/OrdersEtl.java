package dev.kindling.examples.etl;

import dev.kindling.connect.FileSink;
import dev.kindling.connect.FileSource;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.StreamWritable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * The ETL pipeline: CSV order files dropped into a landing folder are converted into Parquet
 * partitioned by {@code order_date}; malformed rows go to a quarantine folder (JSON) with the reason.
 *
 * <pre>{@code
 * ContinuousRunner etl = OrdersEtl.runner(Path.of("/data/landing"), Path.of("/data/orders"),
 *         Path.of("/data/quarantine"), Path.of("/data/checkpoint"), Duration.ofSeconds(10));
 * KindlingService.builder("orders-etl").component(etl).run();
 * }</pre>
 *
 * <p>Declared schema ({@link #SCHEMA}): {@code order_id INT, customer STRING, amount DOUBLE,
 * order_date DATE}; files have a header line. A row is quarantined when it does not parse against
 * the schema (wrong type, wrong number of fields), or when {@code order_id}, {@code customer} or
 * {@code order_date} is missing, or {@code amount} is negative.
 *
 * <p>Exactly once: the runner's available-now mode reads each new file once (Spark's checkpoint
 * remembers the files); each micro-batch is written to {@code OUTPUT/batch_id=N/order_date=D/} and
 * {@code QUARANTINE/batch_id=N/}, each through a temporary folder renamed into place, so a batch
 * re-run after a crash replaces its earlier attempt. Read the output with
 * {@code spark.read().parquet(OUTPUT)} (columns plus {@code batch_id} and {@code order_date}).
 */
public final class OrdersEtl {
    /** The declared schema of the landing CSV files. */
    public static final String SCHEMA = "order_id INT, customer STRING, amount DOUBLE, order_date DATE";
    static final String CORRUPT = "_corrupt_record";

    private OrdersEtl() {
    }

    /** The pipeline: landing CSV → validated rows → Parquet and quarantine. */
    public static Pipeline pipeline(Path landing, Path output, Path quarantine) {
        StructType schema = StructType.fromDDL(SCHEMA + ", " + CORRUPT + " STRING");
        FileSource source = new FileSource(landing.toAbsolutePath().toString(), "csv", schema,
                Map.of("header", "true", "mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT));
        return Pipeline.builder(PipelineKind.STREAMING).name("orders-etl")
                .source(source)
                .process(OrdersEtl::classify)
                .sink(new SplitSink(output.toAbsolutePath().toString(), quarantine.toAbsolutePath().toString()))
                .build();
    }

    /** A runner of {@link #pipeline} with Spark's checkpoint in {@code checkpoint}. */
    public static ContinuousRunner runner(Path landing, Path output, Path quarantine, Path checkpoint, Duration interval) {
        return builder(landing, output, quarantine, checkpoint).interval(interval).build();
    }

    /** The runner's builder, for changing an option (start paused, say) before {@code build()}. */
    static ContinuousRunner.Builder builder(Path landing, Path output, Path quarantine, Path checkpoint) {
        return ContinuousRunner.builder(pipeline(landing, output, quarantine)).checkpoint(checkpoint.toAbsolutePath().toString());
    }

    /** Adds {@code _reason} (null for a good row) and {@code _source_file}. */
    static Dataset<Row> classify(Dataset<Row> rows) {
        Column reason = when(col(CORRUPT).isNotNull(), lit("does not match the schema (" + SCHEMA + ")"))
                .when(col("order_id").isNull(), lit("missing order_id"))
                .when(col("customer").isNull(), lit("missing customer"))
                .when(col("order_date").isNull(), lit("missing order_date"))
                .when(col("amount").isNull(), lit("missing amount"))
                .when(col("amount").lt(0), lit("negative amount"));
        return rows.withColumn("_reason", reason).withColumn("_source_file", col("_metadata.file_name"));
    }

    /** A value as CSV text, empty when null (concat_ws would skip it and shift the fields). */
    private static Column text(Column c) {
        return coalesce(c.cast("string"), lit(""));
    }

    /**
     * Writes good rows as partitioned Parquet and the others as quarantine JSON, both per batch
     * (temporary folder, then rename), from a {@code foreachBatch}. Idempotent per batch id; with
     * the runner's checkpoint, exactly once.
     */
    static final class SplitSink implements StreamWritable {
        private final String output;
        private final String quarantine;

        SplitSink(String output, String quarantine) {
            this.output = Objects.requireNonNull(output, "output");
            this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        }

        @Override
        public String name() {
            return "orders(file:" + output + ", quarantine file:" + quarantine + ")";
        }

        @Override
        public DeliveryGuarantee guarantee() {
            return DeliveryGuarantee.IDEMPOTENT;
        }

        @Override
        public DeliveryGuarantee streamGuarantee() {
            return DeliveryGuarantee.EXACTLY_ONCE;
        }

        @Override
        public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
            String out = output;
            String bad = quarantine;
            VoidFunction2<Dataset<Row>, Long> each = (batch, batchId) -> publish(batch, batchId, out, bad);
            return data.writeStream().foreachBatch(each);
        }

        private static void publish(Dataset<Row> batch, long batchId, String output, String quarantine) {
            Dataset<Row> cached = batch.persist();
            try {
                Dataset<Row> good = cached.filter(col("_reason").isNull()).select("order_id", "customer", "amount", "order_date");
                new FileSink(output, "parquet", "append", List.of("order_date"), true, Map.of()).write(good, batchId);
                Dataset<Row> rejected = cached.filter(col("_reason").isNotNull()).select(
                        col("_source_file").as("file"),
                        when(col(CORRUPT).isNotNull(), col(CORRUPT))
                                .otherwise(concat_ws(",", text(col("order_id")), text(col("customer")),
                                        text(col("amount")), text(col("order_date")))).as("row"),
                        col("_reason").as("reason"));
                new FileSink(quarantine, "json", "append", List.of(), true, Map.of()).write(rejected, batchId);
            } finally {
                cached.unpersist();
            }
        }
    }
}
