package dev.kindling.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * What {@link KafkaBrokerProcess} runs: the broker's {@code server.properties}, the storage format
 * that must precede its first start, and the command line of the broker's JVM (behind {@link
 * ParentWatchdog}, in a session of its own where {@code setsid} exists).
 */
final class KafkaBrokerCommands {
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);

  private KafkaBrokerCommands() {
  }

  /**
   * The {@code server.properties} of a single-node KRaft broker (broker and controller in one
   * process) on {@code 127.0.0.1}, with SASL/PLAIN on its client listener when {@code sasl} is not null.
   */
  static String serverProperties(Path dataDirectory, int brokerPort, int controllerPort, KafkaBrokerProcess.SaslPlain sasl) {
    String logDirs = dataDirectory.toAbsolutePath().toString().replace("\\", "/");
    String protocol = sasl == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
    String saslLines = sasl == null ? "" : String.join("\n",
        "sasl.enabled.mechanisms=PLAIN",
        "sasl.mechanism.inter.broker.protocol=PLAIN",
        "listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"" + sasl.user() + "\" password=\"" + sasl.password() + "\" user_" + sasl.user() + "=\""
            + sasl.password() + "\";",
        "");
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=CLIENT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=CLIENT://127.0.0.1:" + brokerPort,
        "listener.security.protocol.map=CLIENT:" + protocol + ",CONTROLLER:PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=CLIENT",
        saslLines,
        "log.dirs=" + logDirs,
        "num.partitions=1",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        "delete.topic.enable=true",
        "num.network.threads=2",
        "num.io.threads=2",
        "background.threads=2",
        "");
  }

  /**
   * Formats the broker's storage with {@code kafka.tools.StorageTool} under a new cluster id, in a JVM
   * whose output joins {@code logFile}, and waits for it.
   *
   * @throws IllegalStateException when it fails or takes more than a minute; the message holds the log's tail
   */
  static void format(Path directory, Path logFile, Path config, String classpath) {
    String clusterId = Uuid.randomUuid().toString();
    List<String> command = List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", classpath, "kafka.tools.StorageTool", "format",
        "-t", clusterId, "-c", config.toString());
    try {
      Process format = new ProcessBuilder(command).directory(directory.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      if (!format.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        format.destroyForcibly();
        throw new IllegalStateException("Formatting the Kafka storage took more than "
            + FORMAT_TIMEOUT.toSeconds() + " s\n" + LogTail.of(logFile));
      }
      if (format.exitValue() != 0) {
        throw new IllegalStateException("Formatting the Kafka storage failed (exit "
            + format.exitValue() + "): " + String.join(" ", command) + "\n" + LogTail.of(logFile));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while formatting the Kafka storage", e);
    }
  }

  /** The command line of the broker's JVM on {@code config}, watched by {@link ParentWatchdog} for this JVM. */
  static List<String> broker(Path config, String classpath) {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Paths.get("/usr/bin/setsid"))) {
      // A session of its own: Ctrl-C in a terminal signals the service's process group, not the broker,
      // so the service can stop its queries first and close the broker last. The watchdog still ends
      // the broker if this JVM dies.
      command.add("/usr/bin/setsid");
    }
    command.addAll(List.of(javaExecutable(), "-Xmx512m", "-Xms64m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
        "-cp", watchdogLocation() + File.pathSeparator + classpath,
        ParentWatchdog.class.getName(), Long.toString(ProcessHandle.current().pid()),
        "kafka.Kafka", config.toString()));
    return command;
  }

  private static String javaExecutable() {
    Path javaHome = Paths.get(System.getProperty("java.home"), "bin",
        System.getProperty("os.name", "").toLowerCase().startsWith("windows") ? "java.exe" : "java");
    if (Files.isExecutable(javaHome)) {
      return javaHome.toString();
    }
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String watchdogLocation() {
    try {
      return Paths.get(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot locate the classes of kindling-testkit", e);
    }
  }
}
