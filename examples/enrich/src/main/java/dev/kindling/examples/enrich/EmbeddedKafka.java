package dev.kindling.examples.enrich;

import dev.kindling.testkit.KafkaBroker;
import java.util.Objects;

/**
 * The embedded default's Kafka: a real single-node broker in a JVM (and process session) of its own, the testkit's
 * {@link KafkaBroker}, with the orders topic and an {@link OrderProducer} of generated orders. Closed as one of the
 * service's last resources: the producer stops, then the broker.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start("orders", 5, "orders-enriched", "orders-dead-letters")) {
 *     String servers = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>The broker's jars are resolved with Maven on the first run, so {@code mvn} must be on the {@code PATH}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaBroker broker;
    private final OrderProducer producer;
    private final Thread producerThread;

    private EmbeddedKafka(KafkaBroker broker, OrderProducer producer, Thread producerThread) {
        this.broker = broker;
        this.producer = producer;
        this.producerThread = producerThread;
    }

    /**
     * Starts the broker, creates {@code topic} and the {@code others} (1 partition each: the orders query then holds one
     * task slot in real-time mode, and its dead-letter query one more, which two cores can give) and sends {@code rate}
     * generated orders a second into {@code topic}.
     */
    public static EmbeddedKafka start(String topic, int rate, String... others) {
        Objects.requireNonNull(topic, "topic");
        KafkaBroker broker = KafkaBroker.start();
        try {
            broker.createTopic(topic, 1);
            for (String other : others) {
                broker.createTopic(other, 1);
            }
            OrderProducer producer = new OrderProducer(broker.bootstrapServers(), topic, rate, System.nanoTime());
            Thread t = new Thread(() -> {
                try {
                    producer.run(-1);
                } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                    // close() interrupts the producer's wait or send: it is done
                }
            }, "enrich-order-producer");
            t.setDaemon(true);
            t.start();
            return new EmbeddedKafka(broker, producer, t);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Stops the producer (its wait for the next order is interrupted), then the broker. */
    @Override
    public void close() throws InterruptedException {
        producer.stop();
        producerThread.interrupt();
        producerThread.join(); // at most one send: the service bounds this close by its shutdown deadline anyway
        producer.close();
        broker.close();
    }
}
