package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.connect.PacedProducer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** A service's embedded Kafka: a broker of its own with the topics, a producer that runs until close, then nothing left. */
class EmbeddedKafkaIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void createsTheTopicsRunsTheProducerUntilCloseThenStopsItAndTheBroker() throws Exception {
    AtomicLong made = new AtomicLong();
    AtomicLong seed = new AtomicLong();
    EmbeddedKafka kafka = EmbeddedKafka.start("words", 2, 1000, (servers, topic, rate, s) -> {
      seed.set(s);
      return new PacedProducer(servers, topic, rate, "lines", "embedded-kafka-it-producer", () -> "line " + made.incrementAndGet());
    }, "word-counts", "dead-letters");
    try {
      KafkaBroker broker = kafka.broker();
      assertThat(kafka.bootstrapServers()).isEqualTo(broker.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(broker.topics()).contains("words", "word-counts", "dead-letters");
      assertThat(broker.latestOffsets("words")).containsOnlyKeys(0, 1);
      assertThat(broker.latestOffsets("word-counts")).containsOnlyKeys(0);
      assertThat(broker.latestOffsets("dead-letters")).containsOnlyKeys(0);
      assertThat(broker.consume("words", 20, TIMEOUT)).extracting(KafkaRecord::valueAsString).allMatch(v -> v.matches("line \\d+"));
      assertThat(producerThreads()).hasSize(1).allMatch(Thread::isDaemon);
      assertThat(seed.get()).isNotZero();
    } finally {
      kafka.close();
    }
    long sent = made.get();
    assertThat(producerThreads()).isEmpty();
    assertThat(kafka.broker().isRunning()).isFalse();
    assertThat(made.get()).as("nothing is made after close").isEqualTo(sent);
  }

  @Test
  void closesTheBrokerWhenTheProducerCannotBeMade() {
    AtomicReference<String> servers = new AtomicReference<>();
    assertThatThrownBy(() -> EmbeddedKafka.start("orders", 1, 0, (s, topic, rate, seed) -> {
      servers.set(s);
      return new PacedProducer(s, topic, rate, "orders", "embedded-kafka-it-producer", () -> "o");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be from 1 to 100000 orders per second; got 0");

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers.get());
    try (Admin admin = Admin.create(p)) {
      assertThatThrownBy(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get())
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    }
  }

  private static List<Thread> producerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("embedded-kafka-it-producer") && t.isAlive()).toList();
  }
}
