package dev.kindling.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topic operations of {@link KafkaBroker}: one admin client of the broker that creates, lists and
 * deletes topics and reads their end offsets. Thread-safe, as the admin client is.
 */
final class KafkaTopicAdmin implements AutoCloseable {
  private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

  private final Admin admin;
  private final String bootstrapServers;
  private final Path logFile;

  /**
   * @param clientProperties what a client needs to reach the broker
   * @param bootstrapServers the broker's address, for messages
   * @param logFile the broker's log, named when a topic gets no leader
   */
  KafkaTopicAdmin(Map<String, Object> clientProperties, String bootstrapServers, Path logFile) {
    Properties properties = new Properties();
    properties.putAll(clientProperties);
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "kindling-testkit-admin");
    this.admin = Admin.create(properties);
    this.bootstrapServers = bootstrapServers;
    this.logFile = logFile;
  }

  /** Creates a topic with replication factor 1 and waits until every partition has a leader. */
  void createTopic(String name, int partitions) {
    await(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all(),
        "create topic " + name, bootstrapServers);
    long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
        if (description.partitions().size() == partitions
            && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("Cannot describe topic " + name + ": " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating topic " + name, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Topic " + name + " has no leader after 30 s; see " + logFile);
      }
    }
  }

  /** The names of the topics, internal ones excluded. */
  Set<String> topics() {
    return await(admin.listTopics().names(), "list topics", bootstrapServers);
  }

  /** The end offset of every partition of a topic, by partition. */
  Map<Integer, Long> latestOffsets(String topic) {
    TopicDescription description = await(admin.describeTopics(List.of(topic)).allTopicNames(),
        "describe topic " + topic, bootstrapServers).get(topic);
    Map<TopicPartition, OffsetSpec> request = description.partitions().stream()
        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
    Map<Integer, Long> offsets = new TreeMap<>();
    await(admin.listOffsets(request).all(), "list offsets of " + topic, bootstrapServers)
        .forEach((partition, info) -> offsets.put(partition.partition(), info.offset()));
    return offsets;
  }

  /** Deletes topics. */
  void deleteTopics(Collection<String> topics) {
    await(admin.deleteTopics(topics).all(), "delete topics " + topics, bootstrapServers);
  }

  /** Closes the admin client, waiting up to five seconds. */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }

  /**
   * The result of a Kafka client future.
   *
   * @throws IllegalStateException naming {@code what} and the broker when it failed or was interrupted
   */
  static <T> T await(Future<T> future, String what, String bootstrapServers) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot " + what + " on " + bootstrapServers + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while trying to " + what, e);
    }
  }
}
