package dev.kindling.examples.wordcount;

import dev.kindling.testkit.KafkaBroker;
import java.util.Objects;

/**
 * The embedded default of the wordcount example: a real single-node Kafka broker in a JVM (and
 * process session) of its own, the testkit's {@link KafkaBroker}, with the words topic and a
 * {@link WordProducer} of generated text. Closed as the service's last resource: the producer stops,
 * then the broker.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start("words", 20, "word-counts", "words-dead-letters")) {
 *     String servers = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>The broker's jars are resolved with Maven on the first run, so {@code mvn} must be on the {@code PATH}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaBroker broker;
    private final WordProducer producer;
    private final Thread producerThread;

    private EmbeddedKafka(KafkaBroker broker, WordProducer producer, Thread producerThread) {
        this.broker = broker;
        this.producer = producer;
        this.producerThread = producerThread;
    }

    /**
     * Starts the broker, creates {@code topic} (2 partitions) and the {@code others} (1 partition each,
     * so that nobody writes to a topic that does not exist yet), and sends {@code rate} generated lines a
     * second into {@code topic}.
     */
    public static EmbeddedKafka start(String topic, int rate, String... others) {
        Objects.requireNonNull(topic, "topic");
        KafkaBroker broker = KafkaBroker.start();
        try {
            broker.createTopic(topic, 2);
            for (String other : others) {
                broker.createTopic(other, 1);
            }
            WordProducer producer = new WordProducer(broker.bootstrapServers(), topic, rate, System.nanoTime());
            Thread t = new Thread(() -> {
                try {
                    producer.run(-1);
                } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                    // close() interrupts the producer's wait or send: it is done
                }
            }, "wordcount-producer");
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

    /** Stops the producer (its wait for the next line is interrupted), then the broker. */
    @Override
    public void close() throws InterruptedException {
        producer.stop();
        producerThread.interrupt();
        producerThread.join(); // at most one send: the service bounds this close by its shutdown deadline anyway
        producer.close();
        broker.close();
    }
}
