package dev.kindling.examples.enrich;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The orders pipeline: JSON orders from Kafka are decoded, checked and joined with the products table (a
 * stream-static join against the newest {@link ProductSnapshots products snapshot}), then routed by an
 * {@link OrdersSink}: valid orders to the enriched topic, the others to the dead-letter topic.
 *
 * <pre>{@code
 * Pipeline orders = OrderEnrichment.pipeline(c.source("kafka://broker:9092/orders"), snapshots,
 *         new OrdersSink("broker:9092", "orders-enriched", "orders-dead-letters"),
 *         c.sink("kafka://broker:9092/orders-dead-letters"));
 * }</pre>
 *
 * <p>Three kinds of order never reach the enriched topic, and all three go to the dead-letter topic with the reason
 * in the header {@code kindling.error} and the order's topic, partition and offset in {@code kindling.topic},
 * {@code kindling.partition}, {@code kindling.offset}:
 * <ol>
 *   <li>not an order at all: not UTF-8, malformed JSON, a field of the wrong type, a required field missing or null
 *       ({@link #SCHEMA}). The JSON decoder rejects these, and the runner's dead-letter query writes them with their
 *       original key and bytes;</li>
 *   <li>a quantity below 1 ({@code "quantity must be at least 1; got 0"});</li>
 *   <li>a product id the products table does not hold ({@code "unknown productId 'p-404'"}).</li>
 * </ol>
 * The last two are well-formed, so the decoder accepts them; this processor names the reason in the column
 * {@link #REASON} and the sink sends them to the dead-letter topic, with the order re-encoded as JSON
 * ({@code {"orderId", "productId", "quantity"}}) as the value.
 *
 * <p>The query keeps no state (a filter-free projection over a broadcast join), so it can run in Spark's real-time mode.
 */
public final class OrderEnrichment {
    /** The decoder's schema: every field is required. */
    public static final String SCHEMA = "orderId STRING NOT NULL, productId STRING NOT NULL, quantity INT NOT NULL";
    /** The processor's column that says why an order is rejected; null for a valid one. */
    public static final String REASON = "reason";
    /** The pipeline's and the runner's name: the key of its component in {@code /status}. */
    public static final String NAME = "orders";

    private OrderEnrichment() {
    }

    /** The orders pipeline: {@code orders} decoded with {@link #SCHEMA}, {@link #enrich enriched}, into {@code sink}. */
    public static Pipeline pipeline(Source orders, ProductSnapshots products, Sink sink, Sink deadLetters) {
        Objects.requireNonNull(products, "products");
        return Pipeline.builder(PipelineKind.STREAMING).name(NAME)
                .source(orders)
                .decoder(RecordDecoder.json(SCHEMA))
                .process(input -> enrich(input, products.table(input.sparkSession())))
                .sink(sink)
                .deadLetters(deadLetters)
                .build();
    }

    /**
     * The decoded orders with their product: {@code orderId, productId, quantity, name, price, total, reason}, then the
     * source's {@code topic, partition, offset}. {@code name} and {@code price} are null for an unknown product,
     * {@code total} ({@code price × quantity}, two decimals) is null when {@code reason} is not.
     *
     * @param products {@code productId STRING, name STRING, price DECIMAL(10,2)}, one row per product id
     */
    public static Dataset<Row> enrich(Dataset<Row> orders, Dataset<Row> products) {
        Dataset<Row> p = products.select(col("productId").as("p_productId"), col("name"), col("price"));
        // The products side is small: broadcast it, so the join runs on each order as it comes (no shuffle, no state).
        Dataset<Row> joined = orders.join(broadcast(p), orders.col("productId").equalTo(p.col("p_productId")), "left_outer");
        Column reason = when(col("quantity").lt(1), concat(lit("quantity must be at least 1; got "), col("quantity").cast("string")))
                .when(col("p_productId").isNull(), concat(lit("unknown productId '"), col("productId"), lit("'")));
        Column total = when(reason.isNull(), col("price").multiply(col("quantity")).cast("decimal(12,2)"));
        return joined.select(col("orderId"), col("productId"), col("quantity"), col("name"), col("price"), total.as("total"),
                reason.as(REASON), col("topic"), col("partition"), col("offset"));
    }
}
