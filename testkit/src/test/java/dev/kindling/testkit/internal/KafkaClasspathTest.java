package dev.kindling.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClasspathTest {

  @Test
  void theSystemPropertyOverridesMaven(@TempDir Path folder) throws Exception {
    Path a = Files.createFile(folder.resolve("a.jar"));
    Path b = Files.createFile(folder.resolve("b.jar"));
    System.setProperty(KafkaClasspath.CLASSPATH_PROPERTY, a + File.pathSeparator + b);
    try {
      assertThat(KafkaClasspath.resolve("9.9.9")).containsExactly(a, b);
    } finally {
      System.clearProperty(KafkaClasspath.CLASSPATH_PROPERTY);
    }
  }

  @Test
  void aCachedClasspathIsReusedWithoutMaven(@TempDir Path folder) throws Exception {
    Path jar = Files.createFile(folder.resolve("kafka.jar"));
    Files.writeString(folder.resolve("classpath.txt"), jar.toString());
    System.setProperty(KafkaClasspath.CACHE_DIR_PROPERTY, folder.toString());
    try {
      assertThat(KafkaClasspath.cacheDirectory("3.9.1")).isEqualTo(folder);
      assertThat(KafkaClasspath.resolve("3.9.1")).containsExactly(jar);
    } finally {
      System.clearProperty(KafkaClasspath.CACHE_DIR_PROPERTY);
    }
  }

  @Test
  void theDefaultCacheIsInTheTemporaryFolder() {
    assertThat(KafkaClasspath.cacheDirectory("3.9.1"))
        .isEqualTo(Paths.get(System.getProperty("java.io.tmpdir"), "kindling-kafka-broker-3.9.1"));
  }

  @Test
  void theGeneratedPomAsksForTheBrokerAndALogger() {
    assertThat(KafkaClasspath.pom("3.9.1"))
        .contains("<artifactId>kafka_2.13</artifactId><version>3.9.1</version>")
        .contains("<artifactId>slf4j-simple</artifactId><version>1.7.36</version>");
  }

  @Test
  void findsMaven() {
    assertThat(KafkaClasspath.findMaven()).isExecutable();
  }

  @Test
  void theServerPropertiesNameThePortsAndFolders() {
    String properties = KafkaBrokerCommands.serverProperties(Paths.get("/tmp/k/data"), 9092, 9093, null);
    assertThat(properties.lines()).contains(
        "process.roles=broker,controller",
        "controller.quorum.voters=1@127.0.0.1:9093",
        "listeners=CLIENT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
        "listener.security.protocol.map=CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=/tmp/k/data",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "num.partitions=1",
        "auto.create.topics.enable=true");
  }

  @Test
  void aSaslBrokerRequiresPlainLoginOnItsClientListener() {
    String properties = KafkaBrokerCommands.serverProperties(Paths.get("/tmp/k/data"), 9092, 9093,
        new KafkaBrokerProcess.SaslPlain("app", "pw"));
    assertThat(properties.lines()).contains(
        "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN",
        "listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"app\" password=\"pw\" user_app=\"pw\";");
  }

  @Test
  void theWatchdogExitsWhenItsParentIsGone() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String classes = Paths.get(ParentWatchdog.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI()).toString();
    Process child = new ProcessBuilder(List.of(java, "-cp", classes, ParentWatchdog.class.getName(),
        Long.toString(Long.MAX_VALUE), "java.lang.Object")).redirectErrorStream(true).start();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(3);
    assertThat(new String(child.getInputStream().readAllBytes()))
        .contains("parent process " + Long.MAX_VALUE + " is gone");
  }
}
