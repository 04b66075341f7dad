package dev.kindling.connect;

import dev.kindling.connect.internal.CountedWrite;
import dev.kindling.connect.internal.DependencyProbes;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamWriter;

/**
 * Writes rows to a Kafka topic, as a batch or from a streaming query (the kappa style: results go
 * to another topic for the next service).
 *
 * <pre>{@code
 * Sink counts = Connectors.builtIn().sink("kafka://127.0.0.1:9092/word-counts?keyColumn=word");
 * }</pre>
 *
 * <p>Rows that have a {@code value} column are written as they are, with their {@code key} and
 * {@code headers} columns when present; other columns (a source's {@code topic} or {@code partition}
 * among them) are dropped, so rows read from one topic never go back to it by accident. Rows without one are
 * written as JSON objects of all their columns, keyed by {@code keyColumn} when it is given.
 *
 * <p>URI: {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC}. Options: {@code keyColumn},
 * {@code kafka.*} passed to the producer. Delivery: {@link DeliveryGuarantee#AT_LEAST_ONCE} — a
 * re-run batch is produced again; consumers that need exactly-once deduplicate by key.
 */
public final class KafkaSink implements BatchWritable, StreamWritable, Remote {
    private static final List<String> KAFKA_COLUMNS = List.of("key", "value", "headers");
    private final String bootstrapServers;
    private final String topic;
    private final String keyColumn;
    private final Map<String, String> options;

    /** @param keyColumn may be null */
    public KafkaSink(String bootstrapServers, String topic, String keyColumn, Map<String, String> options) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.keyColumn = keyColumn;
        this.options = Map.copyOf(options);
    }

    @Override
    public String name() {
        return "kafka://" + bootstrapServers + "/" + topic;
    }

    public String topic() {
        return topic;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.AT_LEAST_ONCE;
    }

    /** The rows in Kafka's shape: a {@code value} column, and a {@code key} when one is known. */
    public Dataset<Row> toKafkaRows(Dataset<Row> data) {
        List<String> columns = Arrays.asList(data.columns());
        if (columns.contains("value")) {
            return data.select(columns.stream().filter(KAFKA_COLUMNS::contains).map(functions::col).toArray(Column[]::new));
        }
        List<Column> out = new ArrayList<>();
        if (keyColumn != null) {
            if (!columns.contains(keyColumn)) {
                throw new dev.kindling.ipp.ConfigurationException("keyColumn '" + keyColumn + "' of " + name()
                        + " is not a column of the data; columns: " + columns);
            }
            out.add(functions.col(keyColumn).cast("string").as("key"));
        }
        Column[] all = columns.stream().map(functions::col).toArray(Column[]::new);
        out.add(functions.to_json(functions.struct(all)).as("value"));
        return data.select(out.toArray(Column[]::new));
    }

    /**
     * Dead letters keep their original {@code key} and {@code value}; the error and where the record
     * came from travel as headers {@code kindling.error}, {@code kindling.topic},
     * {@code kindling.partition} and {@code kindling.offset}.
     */
    @Override
    public Dataset<Row> shapeDeadLetters(Dataset<Row> rejected) {
        Column headers = functions.array(
                header("kindling.error", functions.col("error")),
                header("kindling.topic", functions.col("topic")),
                header("kindling.partition", functions.col("partition")),
                header("kindling.offset", functions.col("offset")));
        return rejected.select(functions.col("key"), functions.col("value"), headers.as("headers"));
    }

    private static Column header(String name, Column value) {
        return functions.struct(functions.lit(name).as("key"),
                functions.coalesce(value.cast("string"), functions.lit("")).cast("binary").as("value"));
    }

    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        return CountedWrite.runCountingRows(toKafkaRows(data), batchId, d -> d.write().format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("topic", topic)
                .options(options)
                .save());
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        return toKafkaRows(data).writeStream().format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("topic", topic)
                .options(options);
    }

    /** The Kafka cluster: {@code "kafka SERVERS"}, checked with an admin client that takes the {@code kafka.*} options. */
    @Override
    public Dependency dependency() {
        return DependencyProbes.kafka(bootstrapServers, options);
    }

    /** Spark's real-time mode writes each record to the topic as it is processed. */
    @Override
    public boolean supportsRealTime() {
        return true;
    }

    @Override
    public String toString() {
        return name();
    }
}
