package dev.kindling.streaming.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaLagTest {
    private static final TopicPartition W0 = new TopicPartition("words", 0);
    private static final TopicPartition W1 = new TopicPartition("words", 1);

    @Test
    void parsesSparkOffsetJson() {
        assertThat(KafkaLag.parseOffsets("{\"words\":{\"1\":7,\"0\":42}}")).isEqualTo(Map.of(W0, 42L, W1, 7L));
        assertThat(KafkaLag.parseOffsets(null)).isEmpty();
        assertThat(KafkaLag.parseOffsets("12")).isEmpty();
        assertThat(KafkaLag.parseOffsets("{not json")).isEmpty();
    }

    @Test
    void lagIsLatestMinusProcessedAndNeverNegative() {
        assertThat(KafkaLag.lag(Map.of(W0, 50L, W1, 10L), Map.of(W0, 42L, W1, 12L))).isEqualTo(Map.of(W0, 8L, W1, 0L));
        assertThat(KafkaLag.lag(Map.of(W0, 50L, W1, 10L), Map.of(W0, 50L))).isEqualTo(Map.of(W0, 0L, W1, 10L));
    }

    @Test
    void theAdminClientGetsTheSourcesSecuritySettingsAndNothingAConsumerAlonePasses() {
        Properties p = KafkaLag.adminProperties(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
                "kafka.ssl.truststore.location", "/etc/kafka/truststore.jks",
                "kafka.max.poll.records", "500",
                "kafka.group.id", "mine",
                "startingOffsets", "earliest",
                "maxOffsetsPerTrigger", "10"));
        assertThat(p).isEqualTo(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.location", "/etc/kafka/truststore.jks"));
    }
}
