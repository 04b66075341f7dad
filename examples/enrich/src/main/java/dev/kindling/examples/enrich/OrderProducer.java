package dev.kindling.examples.enrich;

import dev.kindling.connect.PacedProducer;

/**
 * Sends generated orders ({@link OrderGenerator}) into a Kafka topic at a fixed rate, keyed by nothing, acks=all: a
 * {@link PacedProducer} of the example's orders.
 *
 * <pre>
 * bin/run-example enrich ...   # the embedded default runs one for you
 * java -cp APP_JAR:SPARK_JARS dev.kindling.examples.enrich.OrderProducer 127.0.0.1:9092 orders 10 [COUNT] [SEED]
 * </pre>
 *
 * <p>Arguments: bootstrap servers, topic, orders per second (1..100000), optionally how many orders (default: until
 * stopped) and a random seed (default 1).
 */
public final class OrderProducer {
    private OrderProducer() {
    }

    /** A producer of {@code ratePerSecond} orders a second of an {@link OrderGenerator} with {@code seed}; run it, then close it. */
    public static PacedProducer create(String bootstrapServers, String topic, int ratePerSecond, long seed) {
        return new PacedProducer(bootstrapServers, topic, ratePerSecond, "orders", "enrich-order-producer", new OrderGenerator(seed)::next);
    }

    public static void main(String[] args) throws Exception {
        PacedProducer.runCommand(args, "OrderProducer", "orders", OrderProducer::create);
    }
}
