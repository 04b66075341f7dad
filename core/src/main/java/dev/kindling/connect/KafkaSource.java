package dev.kindling.connect;

import dev.kindling.connect.internal.DependencyProbes;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.StreamReadable;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads Kafka topics, as a batch (from {@code startingOffsets} to {@code endingOffsets}) or as a
 * stream. Rows have Spark's Kafka columns: {@code key}, {@code value} (binary), {@code topic},
 * {@code partition}, {@code offset}, {@code timestamp}, {@code timestampType} and {@code headers}.
 *
 * <pre>{@code
 * Source words = Connectors.builtIn().source("kafka://127.0.0.1:9092/words?startingOffsets=earliest");
 * Dataset<Row> lines = ((StreamReadable) words).readStream(spark).selectExpr("CAST(value AS STRING) AS line");
 * }</pre>
 *
 * <p>URI: {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC[,TOPIC...]}. Options: {@code startingOffsets}
 * (default {@code earliest}, so that nothing published before the first start is missed; a restarted
 * query resumes from its checkpoint), {@code endingOffsets} (batch, default {@code latest}),
 * {@code maxOffsetsPerTrigger}, {@code failOnDataLoss} (default {@code true}), {@code includeHeaders}
 * (default {@code true}), and {@code kafka.*} passed to the consumer (secrets such as
 * {@code kafka.sasl.jaas.config} are never shown).
 */
public final class KafkaSource implements BatchReadable, StreamReadable, Remote {
    private final String bootstrapServers;
    private final String topics;
    private final Map<String, String> options;

    /**
     * @param options Spark Kafka options ({@code startingOffsets}, {@code kafka.*}, ...), passed as given
     */
    public KafkaSource(String bootstrapServers, String topics, Map<String, String> options) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.options = Map.copyOf(options);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topics() {
        return topics;
    }

    /** The Spark Kafka options given ({@code startingOffsets}, {@code kafka.*}, ...), e.g. to build an admin client with the same security settings. */
    public Map<String, String> options() {
        return options;
    }

    @Override
    public String name() {
        return "kafka://" + bootstrapServers + "/" + topics;
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        return spark.read().format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("subscribe", topics)
                .option("startingOffsets", "earliest")
                .option("includeHeaders", "true")
                .options(without(options, "maxOffsetsPerTrigger"))
                .load();
    }

    @Override
    public Dataset<Row> readStream(SparkSession spark) {
        return spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", bootstrapServers)
                .option("subscribe", topics)
                .option("startingOffsets", "earliest")
                .option("includeHeaders", "true")
                .options(without(options, "endingOffsets"))
                .load();
    }

    private static Map<String, String> without(Map<String, String> options, String key) {
        Map<String, String> copy = new java.util.HashMap<>(options);
        copy.remove(key);
        return copy;
    }

    /** Kafka topics can be read in Spark's real-time mode, with one long-running task per partition. */
    @Override
    public boolean supportsRealTime() {
        return true;
    }

    /** The Kafka cluster: {@code "kafka SERVERS"}, checked with an admin client that takes the {@code kafka.*} options. */
    @Override
    public Dependency dependency() {
        return DependencyProbes.kafka(bootstrapServers, options);
    }

    @Override
    public String toString() {
        return name();
    }
}
