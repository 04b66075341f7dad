package dev.kindling.testkit;

import dev.kindling.connect.PacedProducer;
import java.util.Objects;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The embedded default of a service that reads Kafka: a {@link KafkaBroker} of its own (in a JVM and process session of
 * its own) with the service's topics, and a {@link PacedProducer} of generated records that runs on a daemon thread.
 * For {@code bin/run-example} ({@code KINDLING_EMBEDDED=true}), never an app jar: closed as one of the service's last
 * resources, after its runners and Spark, it stops the producer, then the broker.
 *
 * <pre>{@code
 * PacedProducer.Factory lines = (servers, topic, rate, seed) -> {
 *   SplittableRandom random = new SplittableRandom(seed);
 *   return new PacedProducer(servers, topic, rate, "lines", "demo-producer", () -> "line " + random.nextInt(100));
 * };
 * try (EmbeddedKafka kafka = EmbeddedKafka.start("words", 2, 20, lines, "word-counts", "words-dead-letters")) {
 *   String servers = kafka.bootstrapServers();   // 20 lines a second arrive in "words"
 * }
 * }</pre>
 *
 * <p>The broker's jars are resolved with Maven on the first run, so {@code mvn} must be on the {@code PATH} (see
 * {@link KafkaBroker}). The producer's thread is named after its client id.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaBroker broker;
  private final PacedProducer producer;
  private final Thread producerThread;

  /**
   * Starts a broker, creates {@code topic} with {@code partitions} and the {@code others} with 1 partition each (so
   * that nobody writes to a topic that does not exist yet), and runs a producer of {@code rate} records a second
   * into {@code topic} until {@link #close()}. Its seed is the clock's ({@link System#nanoTime()}): each run sends
   * other records.
   *
   * @param topic the topic the producer writes to
   * @param partitions its partitions, at least 1
   * @param rate records a second, from 1 to {@value PacedProducer#MAX_RATE}
   * @param producer makes the producer; the same factory as its command's ({@link PacedProducer#runCommand})
   * @param others more topics, for example the service's output and dead letters
   * @return the running broker and producer; close it when done
   * @throws IllegalStateException when the broker cannot start
   * @throws IllegalArgumentException when the rate is out of range; nothing is left running then
   */
  public static EmbeddedKafka start(String topic, int partitions, int rate, PacedProducer.Factory producer, String... others) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(producer, "producer");
    KafkaBroker broker = KafkaBroker.start();
    try {
      broker.createTopic(topic, partitions);
      for (String other : others) {
        broker.createTopic(other, 1);
      }
      return new EmbeddedKafka(broker, producer.create(broker.bootstrapServers(), topic, rate, System.nanoTime()));
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  private EmbeddedKafka(KafkaBroker broker, PacedProducer producer) {
    this.broker = broker;
    this.producer = producer;
    this.producerThread = new Thread(this::produce, producer.clientId());
    producerThread.setDaemon(true);
    producerThread.start();
  }

  private void produce() {
    try {
      producer.run(-1);
    } catch (InterruptedException | InterruptException e) {
      // close() interrupts the producer's wait or send: it is done
    }
  }

  /** The broker's {@code bootstrap.servers}, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The broker, for its helpers (consume, topics); closing it is this object's job. */
  public KafkaBroker broker() {
    return broker;
  }

  /** Stops the producer (its wait for the next record is interrupted), then the broker. */
  @Override
  public void close() throws InterruptedException {
    producer.stop();
    producerThread.interrupt();
    producerThread.join(); // at most one send: a service bounds this close by its shutdown deadline anyway
    producer.close();
    broker.close();
  }
}
