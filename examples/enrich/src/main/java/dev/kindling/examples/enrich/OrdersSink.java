package dev.kindling.examples.enrich;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.kindling.connect.KafkaSink;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Remote;
import dev.kindling.ipp.StreamWritable;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.DataStreamWriter;

/**
 * Writes the {@link OrderEnrichment#enrich enriched orders} to two Kafka topics from one streaming query: an order
 * whose {@link OrderEnrichment#REASON reason} is null goes to the enriched topic as
 * {@code {"orderId", "productId", "quantity", "name", "price", "total"}}, any other to the dead-letter topic as
 * {@code {"orderId", "productId", "quantity"}} with the headers of the runner's own dead letters
 * ({@code kindling.error}, {@code kindling.topic}, {@code kindling.partition}, {@code kindling.offset}). Both are keyed by
 * the order id.
 *
 * <pre>{@code
 * Sink sink = new OrdersSink("broker:9092", "orders-enriched", "orders-dead-letters");
 * }</pre>
 *
 * <p>One query and one Kafka writer (each row names its topic), so Spark's real-time mode writes each order as it is
 * processed. Delivery: at-least-once, as Kafka's sink: a restart may produce again what was produced since the last
 * checkpoint, each order with the same key and value.
 */
public final class OrdersSink implements StreamWritable, Remote {
    private final KafkaSink enriched;
    private final KafkaSink rejected;
    private final String bootstrapServers;

    public OrdersSink(String bootstrapServers, String enrichedTopic, String deadLettersTopic) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.enriched = new KafkaSink(bootstrapServers, enrichedTopic, "orderId", Map.of());
        this.rejected = new KafkaSink(bootstrapServers, deadLettersTopic, "orderId", Map.of());
    }

    @Override
    public String name() {
        return enriched.name() + " (rejected orders: " + rejected.name() + ")";
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.AT_LEAST_ONCE;
    }

    /** The rows in Kafka's shape, each with the topic it goes to: {@code topic, key, value, headers}. */
    Dataset<Row> toKafkaRows(Dataset<Row> orders) {
        Column ok = col(OrderEnrichment.REASON).isNull();
        Column value = when(ok, to_json(struct(col("orderId"), col("productId"), col("quantity"), col("name"), col("price"), col("total"))))
                .otherwise(to_json(struct(col("orderId"), col("productId"), col("quantity"))));
        Column headers = when(ok.unary_$bang(), array(header("kindling.error", col(OrderEnrichment.REASON)),
                header("kindling.topic", col("topic")), header("kindling.partition", col("partition")),
                header("kindling.offset", col("offset"))));
        return orders.select(when(ok, lit(enriched.topic())).otherwise(lit(rejected.topic())).as("topic"),
                col("orderId").as("key"), value.as("value"), headers.as("headers"));
    }

    private static Column header(String name, Column value) {
        return struct(lit(name).as("key"), coalesce(value.cast("string"), lit("")).cast("binary").as("value"));
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        return toKafkaRows(data).writeStream().format("kafka").option("kafka.bootstrap.servers", bootstrapServers);
    }

    /** Spark's real-time mode writes each record to its topic as it is processed. */
    @Override
    public boolean supportsRealTime() {
        return true;
    }

    /** The Kafka cluster, as the runner's other Kafka connectors name it: {@code "kafka SERVERS"}. */
    @Override
    public Dependency dependency() {
        return enriched.dependency();
    }

    @Override
    public String toString() {
        return name();
    }
}
