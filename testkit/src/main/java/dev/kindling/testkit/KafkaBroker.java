package dev.kindling.testkit;

import dev.kindling.testkit.internal.KafkaBrokerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka broker (KRaft, {@code org.apache.kafka:kafka_2.13}, by default {@value
 * #DEFAULT_VERSION}) in its own JVM, with small helpers to create topics, produce and consume.
 *
 * <pre>{@code
 * @KindlingKafkaTest
 * class OrdersIT {
 *   @Test
 *   void roundTrip(KafkaBroker kafka) {
 *     String topic = kafka.createUniqueTopic("orders", 1);
 *     kafka.produce(topic, "k1", "v1");
 *     List<KafkaRecord> records = kafka.consume(topic, 1, Duration.ofSeconds(10));
 *     assertThat(records.get(0).valueAsString()).isEqualTo("v1");
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link KafkaExtension} starts one broker per test JVM, lazily, when the
 * first test asks for a {@code KafkaBroker}, and stops it when JUnit closes its root context at
 * the end of the run. Outside JUnit, {@link #start()} starts one and {@link #close()} stops it.
 * The broker listens on free ports of {@code 127.0.0.1}; its data and its log ({@link
 * #logFile()}) live in a temporary folder that {@code close()} deletes. A watchdog inside the
 * broker's JVM makes sure the broker never outlives this JVM; there is no shutdown hook, so that a
 * service that uses the broker can stop its queries before it closes the broker. Topics are
 * shared by every test class of the JVM: use {@link #createUniqueTopic(String, int)} or
 * distinct names.
 *
 * <p><b>Outages.</b> {@link #stop()} stops the broker's JVM and keeps its ports and data; {@link
 * #restart()} starts it again on both, so topics, records and committed offsets survive, and
 * clients made before (this class's own, a service's) reconnect by themselves. Stop only a broker
 * of the test's own, from {@link #start()}, never the shared one of {@link KafkaExtension}:
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start()) {
 *   kafka.createTopic("orders", 1);
 *   kafka.stop();       // clients cannot reach it now
 *   kafka.restart();    // same port, same topics and records
 * }
 * }</pre> Settings: one partition per auto-created topic, replication factor 1,
 * {@code group.initial.rebalance.delay.ms=0}, {@code auto.create.topics.enable=true}.
 *
 * <p><b>Classpath.</b> The broker's jars are kept apart from the test's: Maven resolves them at run
 * time on a generated pom, cached in {@code ${java.io.tmpdir}/kindling-kafka-broker-VERSION}; the
 * system property {@code kindling.testkit.kafka.classpath} or {@code KINDLING_KAFKA_CLASSPATH} gives
 * them directly, and {@code kindling.testkit.kafka.version} picks another broker version.
 *
 * <p><b>Threading.</b> All methods are thread-safe. {@code produce} methods return when the
 * broker has acknowledged every record ({@code acks=all}); {@code consume} reads from the start
 * of every partition with a fresh consumer that joins no group.
 */
@SuppressWarnings("deprecation") // CloseableResource keeps JUnit before 5.13 closing the broker
public final class KafkaBroker implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  /** The broker version used unless the system property {@code kindling.testkit.kafka.version} says otherwise. */
  public static final String DEFAULT_VERSION = "3.9.1";

  /** System property that picks the broker version. */
  public static final String VERSION_PROPERTY = "kindling.testkit.kafka.version";

  private static final AtomicLong TOPIC_COUNTER = new AtomicLong();

  private final KafkaBrokerProcess process;
  private final KafkaTopicAdmin admin;
  private final KafkaProducer<byte[], byte[]> producer;

  private KafkaBroker(KafkaBrokerProcess process) {
    this.process = process;
    try {
      this.admin = new KafkaTopicAdmin(clientProperties(), process.bootstrapServers(), process.logFile());
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    try {
      this.producer = createProducer();
    } catch (RuntimeException e) {
      admin.close();
      process.close();
      throw e;
    }
  }

  private KafkaProducer<byte[], byte[]> createProducer() {
    Properties producerProperties = new Properties();
    producerProperties.putAll(clientProperties());
    producerProperties.put(ProducerConfig.CLIENT_ID_CONFIG, "kindling-testkit-producer");
    producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProperties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producerProperties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(producerProperties);
  }

  /**
   * Starts a broker of version {@link #DEFAULT_VERSION} (or the system property {@value
   * #VERSION_PROPERTY}) and waits until it serves requests, usually 5 to 10 s (the first run also
   * resolves the broker's jars with Maven).
   *
   * @return the running broker; close it when done
   * @throws IllegalStateException when it cannot start; the message holds the tail of its log
   */
  public static KafkaBroker start() {
    return new KafkaBroker(KafkaBrokerProcess.start(System.getProperty(VERSION_PROPERTY, DEFAULT_VERSION)));
  }

  /**
   * Starts a broker like {@link #start()} whose client listener requires SASL/PLAIN: clients log in
   * as {@code user} with {@code password}. {@link #clientProperties()} and {@link #sparkOptions()}
   * carry what a client needs; the helpers of this class use them.
   */
  public static KafkaBroker startWithSaslPlain(String user, String password) {
    return new KafkaBroker(KafkaBrokerProcess.start(System.getProperty(VERSION_PROPERTY, DEFAULT_VERSION),
        new KafkaBrokerProcess.SaslPlain(Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password"))));
  }

  /** The process id of the broker's JVM (to kill it in a test of an outage); a new one after {@link #restart()}. */
  public long pid() {
    return process.pid();
  }

  /** Whether the broker's JVM is alive. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Stops the broker's JVM (a clean shutdown on SIGTERM; SIGKILL after 15 s) and waits until it has
   * exited; its ports and data are kept for {@link #restart()}. From then on clients cannot reach
   * it, and this class's helpers fail or wait. Does nothing when it is stopped already.
   */
  public void stop() {
    process.stop();
  }

  /**
   * Starts the broker's JVM again on the same ports with the same data folder (stopping it first when
   * it runs) and waits until it serves requests, usually 5 to 10 s. Topics, records and the offsets
   * that consumer groups committed are still there.
   *
   * @throws IllegalStateException when the broker is closed or does not start; the message holds the
   *     tail of its log
   */
  public void restart() {
    process.restart();
  }

  /**
   * The client settings as Spark's Kafka connector takes them: each client property but the
   * bootstrap servers, prefixed {@code kafka.} (empty for a plain-text broker).
   */
  public Map<String, String> sparkOptions() {
    Map<String, String> out = new TreeMap<>();
    clientProperties().forEach((k, v) -> {
      if (!k.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        out.put("kafka." + k, String.valueOf(v));
      }
    });
    return out;
  }

  /** The {@code bootstrap.servers} value, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return process.bootstrapServers();
  }

  /** The client settings to reach this broker: {@code bootstrap.servers}, and the SASL settings when it requires them. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> out = new TreeMap<>();
    process.clientProperties().forEach((k, v) -> out.put((String) k, v));
    return out;
  }

  /** The file that receives the broker's output, useful when a test fails. */
  public Path logFile() {
    return process.logFile();
  }

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader.
   *
   * @param name the topic's name
   * @param partitions how many partitions, at least 1
   * @throws IllegalStateException when the topic exists or cannot be created
   */
  public void createTopic(String name, int partitions) {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    admin.createTopic(name, partitions);
  }

  /**
   * Creates a topic whose name starts with {@code prefix} and is unique in this JVM, for tests
   * that share the broker.
   *
   * @param prefix the start of the name, for example {@code "orders"}
   * @param partitions how many partitions, at least 1
   * @return the topic's name, for example {@code orders-3}
   */
  public String createUniqueTopic(String prefix, int partitions) {
    String name = Objects.requireNonNull(prefix, "prefix") + "-" + TOPIC_COUNTER.incrementAndGet();
    createTopic(name, partitions);
    return name;
  }

  /** The names of the topics, internal ones excluded. */
  public Set<String> topics() {
    return admin.topics();
  }

  /**
   * Sends one record whose key and value are UTF-8 strings and waits for the acknowledgement.
   *
   * @param topic the topic (created if missing)
   * @param key the key, may be null
   * @param value the value, may be null
   */
  public void produce(String topic, String key, String value) {
    produce(topic, List.of(KafkaMessage.of(key, value)));
  }

  /**
   * Sends one record of bytes and waits for the acknowledgement.
   *
   * @param topic the topic (created if missing)
   * @param key the key, may be null
   * @param value the value, may be null
   */
  public void produceBytes(String topic, byte[] key, byte[] value) {
    produce(topic, List.of(KafkaMessage.ofBytes(key, value)));
  }

  /**
   * Sends records in order and waits until the broker has acknowledged all of them.
   *
   * @param topic the topic (created if missing)
   * @param messages the records
   * @return the offset of each record, in the same order
   */
  public List<Long> produce(String topic, List<KafkaMessage> messages) {
    Objects.requireNonNull(topic, "topic");
    List<Future<RecordMetadata>> sent = new ArrayList<>(messages.size());
    for (KafkaMessage message : messages) {
      List<Header> headers = message.headers().stream()
          .map(h -> (Header) new RecordHeader(h.key(), h.value())).collect(Collectors.toList());
      sent.add(producer.send(new ProducerRecord<>(topic, message.partition(), null, message.key(),
          message.value(), headers)));
    }
    producer.flush();
    List<Long> offsets = new ArrayList<>(sent.size());
    for (Future<RecordMetadata> future : sent) {
      offsets.add(KafkaTopicAdmin.await(future, "produce to " + topic, bootstrapServers()).offset());
    }
    return offsets;
  }

  /**
   * Reads a topic from the start of every partition until at least {@code expectedCount} records
   * have arrived.
   *
   * @param topic the topic
   * @param expectedCount how many records to wait for
   * @param timeout how long to wait
   * @return the records read, sorted by partition then offset (more than {@code expectedCount}
   *     when more were already in the topic)
   * @throws AssertionError when fewer records arrive within the timeout; the message lists them
   */
  public List<KafkaRecord> consume(String topic, int expectedCount, Duration timeout) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(timeout, "timeout");
    Properties properties = new Properties();
    properties.putAll(clientProperties());
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "kindling-testkit-consumer");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long deadline = System.nanoTime() + timeout.toNanos();
    List<KafkaRecord> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
        partitions = infos == null ? List.of() : infos.stream()
            .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
      }
      if (!partitions.isEmpty()) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        while (records.size() < expectedCount && System.nanoTime() < deadline) {
          Duration pollTimeout = remaining(deadline).compareTo(Duration.ofMillis(200)) < 0
              ? remaining(deadline) : Duration.ofMillis(200);
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout)) {
            List<KafkaHeader> headers = new ArrayList<>();
            for (Header header : record.headers()) {
              headers.add(new KafkaHeader(header.key(), header.value()));
            }
            records.add(new KafkaRecord(record.topic(), record.partition(), record.offset(),
                record.timestamp(), record.key(), record.value(), headers));
          }
        }
      }
    }
    records.sort(Comparator.comparingInt(KafkaRecord::partition).thenComparingLong(KafkaRecord::offset));
    if (records.size() < expectedCount) {
      throw new AssertionError("Expected at least " + expectedCount + " records in topic " + topic
          + " within " + timeout + " but read " + records.size() + ": " + records);
    }
    return records;
  }

  /**
   * The end offset (the offset the next record will get) of every partition of a topic.
   *
   * @param topic the topic, which must exist
   * @return partition number to end offset, sorted by partition
   */
  public Map<Integer, Long> latestOffsets(String topic) {
    Objects.requireNonNull(topic, "topic");
    return admin.latestOffsets(topic);
  }

  /**
   * Deletes topics.
   *
   * @param topics the names
   */
  public void deleteTopics(Collection<String> topics) {
    admin.deleteTopics(topics);
  }

  /** Closes the clients, stops the broker and deletes its folder. Idempotent. */
  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(5));
      admin.close();
    } finally {
      process.close();
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + "]";
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }
}
