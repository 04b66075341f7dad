package dev.kindling.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) running in a child
 * JVM.
 *
 * <p>{@link #start(String)} resolves the broker's jars ({@link KafkaClasspath}), writes {@code
 * server.properties} into a new temporary folder, formats the storage with {@code
 * kafka.tools.StorageTool}, starts {@code kafka.Kafka} on two free ports of {@code 127.0.0.1}
 * (the files and command lines are {@link KafkaBrokerCommands}') and returns when an admin client
 * sees the broker. The child's output goes to {@code
 * broker.log} in that folder. {@link #stop()} stops the child and keeps the folder; {@link
 * #restart()} starts a new child on the same ports and the same folder (topics, records and committed
 * offsets survive). {@link #close()} stops the child and deletes the folder. The child
 * exits by itself when this JVM ends (see {@link ParentWatchdog}); there is deliberately no shutdown
 * hook, which would kill the broker at the same instant as the service's own hook starts to stop the
 * queries that read it. Instances are thread-safe.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final int START_ATTEMPTS = 3;

  private final Path directory;
  private final Path logFile;
  private final Path config;
  private final String classpath;
  private final String bootstrapServers;
  private final SaslPlain sasl;
  private volatile Process process;
  private boolean closed;

  /**
   * SASL/PLAIN credentials of a broker that requires them on its client listener.
   *
   * @param user     the user clients log in as
   * @param password its password
   */
  public record SaslPlain(String user, String password) {
    /** The JAAS line a client uses. */
    public String clientJaas() {
      return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
          + "\" password=\"" + password + "\";";
    }
  }

  private KafkaBrokerProcess(Path directory, Path config, String classpath, String bootstrapServers, SaslPlain sasl) {
    this.sasl = sasl;
    this.directory = directory;
    this.logFile = directory.resolve("broker.log");
    this.config = config;
    this.classpath = classpath;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Starts a broker and waits until it serves requests.
   *
   * @param kafkaVersion the version of {@code org.apache.kafka:kafka_2.13}
   * @return the running broker
   * @throws IllegalStateException when it does not start; the message holds the log's tail
   */
  public static KafkaBrokerProcess start(String kafkaVersion) {
    return start(kafkaVersion, null);
  }

  /**
   * Starts a broker whose client listener requires SASL/PLAIN with {@code sasl} (null: plain text).
   *
   * @param kafkaVersion the version of {@code org.apache.kafka:kafka_2.13}
   * @return the running broker
   */
  public static KafkaBrokerProcess start(String kafkaVersion, SaslPlain sasl) {
    List<Path> classpath = KafkaClasspath.resolve(kafkaVersion);
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      Path directory;
      try {
        directory = Files.createTempDirectory("kindling-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a folder for the Kafka broker", e);
      }
      try {
        return startIn(directory, classpath, sasl);
      } catch (PortTakenException e) {
        LOG.warn("Kafka broker start attempt {} lost a port race, retrying", attempt);
        last = e;
      }
    }
    throw last;
  }

  /** The {@code host:port} that clients use. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The SASL/PLAIN credentials clients need, or null for a plain-text listener. */
  public SaslPlain sasl() {
    return sasl;
  }

  /** What a client needs to connect: the bootstrap servers, and the SASL settings when the broker requires them. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    if (sasl != null) {
      p.put("security.protocol", "SASL_PLAINTEXT");
      p.put("sasl.mechanism", "PLAIN");
      p.put("sasl.jaas.config", sasl.clientJaas());
    }
    return p;
  }

  /** The process id of the broker's JVM (a new one after {@link #restart()}). */
  public long pid() {
    return process.pid();
  }

  /** The file that receives the broker's output. */
  public Path logFile() {
    return logFile;
  }

  /** Whether the child process is alive. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Stops the broker's JVM (SIGTERM, a clean shutdown; SIGKILL after 15 s) and keeps its folder, so
   * that {@link #restart()} finds its data. Does nothing when it is stopped already.
   */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      stop(process);
      LOG.info("Kafka broker at {} stopped", bootstrapServers);
    }
  }

  /**
   * Starts the broker again on the same ports and folder (stopping it first when it runs) and waits
   * until it serves requests.
   *
   * @throws IllegalStateException when the broker is closed, or does not start (the message holds the
   *     log's tail; "Address already in use" when another process took one of its ports)
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("The Kafka broker at " + bootstrapServers + " is closed");
    }
    stop(process);
    launch();
    try {
      awaitReady(this);
    } catch (RuntimeException e) {
      stop(process);
      throw new IllegalStateException(e.getMessage() + "\n" + LogTail.of(logFile), e);
    }
    LOG.info("Kafka broker up again at {} (pid {})", bootstrapServers, process.pid());
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and deletes its folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(process);
    deleteRecursively(directory);
  }

  private static KafkaBrokerProcess startIn(Path directory, List<Path> classpath, SaslPlain sasl) {
    Path logFile = directory.resolve("broker.log");
    int[] ports = FreePorts.pick(2);
    String bootstrap = "127.0.0.1:" + ports[0];
    Path config = directory.resolve("server.properties");
    try {
      Files.writeString(config, KafkaBrokerCommands.serverProperties(directory.resolve("data"), ports[0], ports[1], sasl),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + config, e);
    }
    String brokerClasspath = classpath.stream().map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
    KafkaBrokerCommands.format(directory, logFile, config, brokerClasspath);
    KafkaBrokerProcess broker = new KafkaBrokerProcess(directory, config, brokerClasspath, bootstrap, sasl);
    broker.launch();
    try {
      awaitReady(broker);
      LOG.info("Kafka broker up at {} (pid {}, log {})", bootstrap, broker.pid(), logFile);
      return broker;
    } catch (RuntimeException e) {
      String tail = LogTail.of(logFile);
      broker.close();
      if (tail.contains("Address already in use")) {
        throw new PortTakenException("The Kafka broker lost its port: " + tail);
      }
      throw new IllegalStateException(e.getMessage() + "\n" + tail, e);
    }
  }

  /** Starts the broker's JVM on this broker's folder and configuration; does not wait. */
  private void launch() {
    List<String> command = KafkaBrokerCommands.broker(config, classpath);
    try {
      process = new ProcessBuilder(command).directory(directory.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start the Kafka broker: " + command, e);
    }
  }

  private static void awaitReady(KafkaBrokerProcess broker) {
    Properties properties = broker.clientProperties();
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
    properties.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "250");
    properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "kindling-testkit-readiness");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(properties)) {
      while (true) {
        if (!broker.process.isAlive()) {
          throw new IllegalStateException("The Kafka broker exited with code "
              + broker.process.exitValue() + " while starting");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The Kafka broker did not become ready within "
              + START_TIMEOUT.toSeconds() + " s at " + broker.bootstrapServers);
        }
        try {
          // blocks up to one second: this is the poll interval, no sleep needed
          java.util.Collection<Node> nodes = admin.describeCluster(
              new DescribeClusterOptions().timeoutMs(1000)).nodes().get(1500, TimeUnit.MILLISECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException notYet) {
          // not up yet: poll again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
      }
    }
  }

  private static void stop(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the Kafka broker's folder " + directory, e);
    }
  }

  /** The broker could not bind a port that was free a moment before. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }
}
