package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** A broker of the test's own: stopped, clients cannot reach it; started again, topics, records and offsets are there. */
class KafkaBrokerRestartIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void keepsItsPortTopicsRecordsAndCommittedOffsetsAcrossAStopAndARestart() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start()) {
      String bootstrap = kafka.bootstrapServers();
      long pid = kafka.pid();
      kafka.createTopic("orders", 2);
      kafka.produce("orders", List.of(KafkaMessage.of("k1", "v1").toPartition(0), KafkaMessage.of("k2", "v2").toPartition(1)));
      TopicPartition first = new TopicPartition("orders", 0);
      try (Admin admin = admin(bootstrap)) {
        admin.alterConsumerGroupOffsets("billing", Map.of(first, new OffsetAndMetadata(1))).all().get();

        kafka.stop();
        assertThat(kafka.isRunning()).isFalse();
        assertThatThrownBy(() -> admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get())
            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        kafka.stop(); // stopped already: nothing to do

        kafka.restart();
        assertThat(kafka.isRunning()).isTrue();
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(kafka.pid()).isNotEqualTo(pid);
        assertThat(admin.describeCluster(new DescribeClusterOptions().timeoutMs(30_000)).nodes().get()).hasSize(1);
        assertThat(admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get())
            .containsExactly(entry(first, new OffsetAndMetadata(1)));
      }
      assertThat(kafka.topics()).contains("orders");
      assertThat(kafka.consume("orders", 2, TIMEOUT))
          .extracting(KafkaRecord::partition, KafkaRecord::offset, KafkaRecord::keyAsString, KafkaRecord::valueAsString)
          .containsExactly(tuple(0, 0L, "k1", "v1"), tuple(1, 0L, "k2", "v2"));
      assertThat(kafka.produce("orders", List.of(KafkaMessage.of("k3", "v3").toPartition(0)))).containsExactly(1L);
      assertThat(kafka.latestOffsets("orders")).containsExactly(entry(0, 2L), entry(1, 1L));

      kafka.close();
      assertThat(kafka.isRunning()).isFalse();
      assertThatThrownBy(kafka::restart)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("The Kafka broker at " + bootstrap + " is closed");
    }
  }

  private static Admin admin(String bootstrap) {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    return Admin.create(properties);
  }
}
