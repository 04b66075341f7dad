package dev.kindling.ipp;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType$;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Turns the raw {@code value} of each record (bytes from Kafka, or text) into columns for the
 * processor, and says, per record, why it cannot be decoded. Records that fail go to the
 * pipeline's dead letters (see {@link Pipeline.Builder#deadLetters}) instead of failing the batch
 * or the query. The same decoder works in all three patterns: a Kafka topic read as a stream, or
 * in batch by a continuous or on-demand pipeline.
 *
 * <pre>{@code
 * RecordDecoder lines = RecordDecoder.text();                                   // value -> UTF-8 text column 'value'
 * RecordDecoder orders = RecordDecoder.json("id BIGINT NOT NULL, amount DOUBLE"); // value -> columns id, amount
 * }</pre>
 *
 * <ul>
 *   <li>{@link #none()}: the rows are passed on as the source reads them; nothing is a dead letter.</li>
 *   <li>{@link #text()}: {@code value} becomes a UTF-8 string; a null value or bytes that are not valid
 *       UTF-8 are dead letters. The other columns (Kafka's {@code key, topic, partition, offset, timestamp})
 *       are kept.</li>
 *   <li>{@link #json(StructType)}: {@code value} is parsed as one JSON object of the schema; the output
 *       has the schema's columns, then the source's {@code topic, partition, offset, timestamp} columns
 *       whose names the schema does not use. Dead letters: not UTF-8, malformed JSON, not an object, a
 *       value of the wrong type, a {@code NOT NULL} field missing or null.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; {@link #decode} is lazy (no Spark job).
 */
public final class RecordDecoder {
    /** The column {@link #decode} adds: null for a good record, else the reason it is a dead letter. */
    public static final String ERROR_COLUMN = "_kindling_error";
    private static final String CORRUPT = "_kindling_corrupt";
    private static final List<String> SOURCE_COLUMNS = List.of("topic", "partition", "offset", "timestamp");

    private enum Kind { NONE, TEXT, JSON }

    private final Kind kind;
    private final StructType schema;

    private RecordDecoder(Kind kind, StructType schema) {
        this.kind = kind;
        this.schema = schema;
    }

    /** No decoding: rows pass as read. */
    public static RecordDecoder none() {
        return new RecordDecoder(Kind.NONE, null);
    }

    /** UTF-8 text in the column {@code value}. */
    public static RecordDecoder text() {
        return new RecordDecoder(Kind.TEXT, null);
    }

    /** JSON objects of {@code schema}; fields declared non-nullable are required. */
    public static RecordDecoder json(StructType schema) {
        Objects.requireNonNull(schema, "schema");
        if (schema.fields().length == 0) {
            throw new ConfigurationException("a JSON decoder needs a schema with at least one field");
        }
        return new RecordDecoder(Kind.JSON, schema);
    }

    /** JSON objects of the DDL schema {@code ddl}, e.g. {@code "word STRING NOT NULL, n INT"}. */
    public static RecordDecoder json(String ddl) {
        Objects.requireNonNull(ddl, "ddl");
        StructType parsed;
        try {
            parsed = StructType.fromDDL(ddl);
        } catch (Exception e) { // Spark's ParseException is a checked exception
            if (e instanceof ConfigurationException c) {
                throw c;
            }
            throw new ConfigurationException("the JSON schema '" + ddl + "' is not valid DDL (as in 'word STRING NOT NULL, n INT'): "
                    + e.getMessage(), e);
        }
        return json(parsed);
    }

    /** Whether this decoder can reject records (all but {@link #none()}). */
    public boolean canReject() {
        return kind != Kind.NONE;
    }

    /**
     * {@code input} with its value decoded and the column {@link #ERROR_COLUMN} added.
     *
     * @throws ConfigurationException when the input has no {@code value} column of type binary or string
     */
    public Dataset<Row> decode(Dataset<Row> input) {
        if (kind == Kind.NONE) {
            return input.withColumn(ERROR_COLUMN, lit(null).cast(DataTypes.StringType));
        }
        List<String> columns = Arrays.asList(input.columns());
        if (!columns.contains("value")) {
            throw new ConfigurationException("the " + this + " decoder needs a 'value' column; the source has " + columns);
        }
        var valueType = input.schema().apply("value").dataType();
        if (!(valueType instanceof BinaryType$) && !(valueType instanceof StringType$)) {
            throw new ConfigurationException("the " + this + " decoder needs 'value' as binary or string; it is " + valueType.simpleString());
        }
        Column text = col("value").cast(DataTypes.StringType);
        Column notUtf8 = valueType instanceof BinaryType$
                ? functionsNot(VALID_UTF8.apply(col("value")))
                : lit(false);
        Dataset<Row> withRaw = input
                .withColumn(RAW_VALUE, col("value"))
                .withColumn(RAW_KEY, columns.contains("key") ? col("key") : lit(null).cast(DataTypes.BinaryType))
                .withColumn(SRC_TOPIC, columns.contains("topic") ? col("topic").cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType))
                .withColumn(SRC_PARTITION, columns.contains("partition") ? col("partition").cast(DataTypes.IntegerType) : lit(null).cast(DataTypes.IntegerType))
                .withColumn(SRC_OFFSET, columns.contains("offset") ? col("offset").cast(DataTypes.LongType) : lit(null).cast(DataTypes.LongType))
                .withColumn(SRC_TIMESTAMP, columns.contains("timestamp") ? col("timestamp").cast(DataTypes.TimestampType) : lit(null).cast(DataTypes.TimestampType));
        if (kind == Kind.TEXT) {
            Column error = when(col("value").isNull(), lit("value is null"))
                    .when(notUtf8, lit("value is not valid UTF-8"));
            return withRaw.withColumn(ERROR_COLUMN, error).withColumn("value", text);
        }
        StructType withCorrupt = schema.add(CORRUPT, DataTypes.StringType, true);
        Column parsed = from_json(text, withCorrupt, Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT));
        Dataset<Row> withParsed = withRaw.withColumn("_kindling_parsed", parsed);
        Column error = when(col("value").isNull(), lit("value is null"))
                .when(notUtf8, lit("value is not valid UTF-8"))
                .when(col("_kindling_parsed").isNull(), lit("value is not a JSON object"))
                .when(col("_kindling_parsed." + CORRUPT).isNotNull(),
                        lit("value is malformed JSON or does not match the schema " + ddl(schema)));
        for (StructField f : schema.fields()) {
            if (!f.nullable()) {
                error = error.when(col("_kindling_parsed").getField(f.name()).isNull(),
                        lit("required field '" + f.name() + "' is missing or null"));
            }
        }
        List<Column> out = new ArrayList<>();
        List<String> fieldNames = Arrays.asList(schema.fieldNames());
        for (String f : fieldNames) {
            out.add(col("_kindling_parsed").getField(f).as(f));
        }
        for (String c : SOURCE_COLUMNS) {
            if (columns.contains(c) && !fieldNames.contains(c)) {
                out.add(col(c));
            }
        }
        out.add(error.as(ERROR_COLUMN));
        for (String c : List.of(RAW_VALUE, RAW_KEY, SRC_TOPIC, SRC_PARTITION, SRC_OFFSET, SRC_TIMESTAMP)) {
            out.add(col(c));
        }
        return withParsed.select(out.toArray(Column[]::new));
    }

    /** The good records of a {@link #decode decoded} dataset, without the decoder's own columns. */
    public static Dataset<Row> accepted(Dataset<Row> decoded) {
        String[] own = Arrays.stream(decoded.columns()).filter(c -> c.startsWith("_kindling_")).toArray(String[]::new);
        return decoded.filter(col(ERROR_COLUMN).isNull()).drop(own);
    }

    /**
     * {@link #accepted(Dataset)}, counting the rejected records in {@code rejected} as the filter passes them. The
     * count is part of the filter's generated code: the stage is not split and the decoded rows are not
     * materialised for it (an observed metric would do both), and the filter cannot be moved below the decoding,
     * so the value is parsed once (the count is a non-deterministic column the filter reads). Like any Spark accumulator it is complete once the action's tasks have
     * finished; a task that fails and is retried may add its count twice.
     */
    public static Dataset<Row> accepted(Dataset<Row> decoded, LongAccumulator rejected) {
        Objects.requireNonNull(rejected, "rejected");
        UserDefinedFunction keep = functions.udf((UDF1<Boolean, Boolean>) good -> {
            if (!good) {
                rejected.add(1);
            }
            return good;
        }, DataTypes.BooleanType).asNondeterministic().withName("kindling_accept");
        // The count is a column, not the filter's condition: a column that is not deterministic keeps Spark from
        // pushing the filter (and the processor's filters) below the decoding, which would parse each value again.
        Dataset<Row> marked = decoded.withColumn(ACCEPT, keep.apply(col(ERROR_COLUMN).isNull()));
        String[] own = Arrays.stream(marked.columns()).filter(c -> c.startsWith("_kindling_")).toArray(String[]::new);
        return marked.filter(col(ACCEPT)).drop(own);
    }

    private static final String ACCEPT = "_kindling_accept";
    /** Whether the binary value is well-formed UTF-8 ({@link Utf8}: eight ASCII bytes at a time). */
    private static final UserDefinedFunction VALID_UTF8 = functions.udf((UDF1<byte[], Boolean>) Utf8::isValid, DataTypes.BooleanType)
            .withName("kindling_valid_utf8");

    /**
     * The dead letters of a {@link #decode decoded} dataset, as a table: {@code topic STRING,
     * partition INT, offset BIGINT, timestamp TIMESTAMP, key BINARY, value BINARY, error STRING}
     * (the original bytes; source columns null when the source has none).
     */
    public static Dataset<Row> rejected(Dataset<Row> decoded) {
        return decoded.filter(col(ERROR_COLUMN).isNotNull()).select(
                col(SRC_TOPIC).as("topic"), col(SRC_PARTITION).as("partition"), col(SRC_OFFSET).as("offset"),
                col(SRC_TIMESTAMP).as("timestamp"), col(RAW_KEY).as("key"), col(RAW_VALUE).cast(DataTypes.BinaryType).as("value"),
                col(ERROR_COLUMN).as("error"));
    }

    private static final String RAW_VALUE = "_kindling_raw_value";
    private static final String RAW_KEY = "_kindling_raw_key";
    private static final String SRC_TOPIC = "_kindling_src_topic";
    private static final String SRC_PARTITION = "_kindling_src_partition";
    private static final String SRC_OFFSET = "_kindling_src_offset";
    private static final String SRC_TIMESTAMP = "_kindling_src_timestamp";

    private static String ddl(StructType schema) {
        return String.join(", ", Arrays.stream(schema.fields()).map(StructField::toDDL).toList());
    }

    private static Column functionsNot(Column c) {
        return org.apache.spark.sql.functions.not(c);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case TEXT -> "text";
            case JSON -> "json(" + ddl(schema) + ")";
        };
    }
}
