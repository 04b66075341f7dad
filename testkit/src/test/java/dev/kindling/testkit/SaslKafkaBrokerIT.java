package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A broker that requires SASL/PLAIN: the helpers log in, a client without credentials is refused. */
class SaslKafkaBrokerIT {
  private static KafkaBroker secured;

  @BeforeAll
  static void start() {
    secured = KafkaBroker.startWithSaslPlain("kindling", "kindling-secret");
  }

  @AfterAll
  static void stop() {
    secured.close();
  }

  @Test
  void helpersLogInWithTheCredentials() {
    String topic = secured.createUniqueTopic("secured", 1);
    secured.produce(topic, "k", "v");
    List<KafkaRecord> records = secured.consume(topic, 1, Duration.ofSeconds(30));
    assertThat(records.get(0).valueAsString()).isEqualTo("v");
    assertThat(secured.sparkOptions()).isEqualTo(Map.of(
        "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"kindling\" "
            + "password=\"kindling-secret\";",
        "kafka.sasl.mechanism", "PLAIN",
        "kafka.security.protocol", "SASL_PLAINTEXT"));
  }

  @Test
  void aClientWithoutCredentialsIsRefused() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secured.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    try (Admin plain = Admin.create(p)) {
      assertThatThrownBy(() -> plain.listTopics().names().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }
}
