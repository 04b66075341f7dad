package dev.kindling.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the jars of a Kafka broker ({@code org.apache.kafka:kafka_2.13}) and its dependencies,
 * kept apart from the test JVM's classpath.
 *
 * <p>In this order: the system property {@value #CLASSPATH_PROPERTY}, the environment variable
 * {@value #CLASSPATH_ENV} (both a list separated by {@link File#pathSeparator}), a classpath file
 * cached in {@link #cacheDirectory(String)} by an earlier run, or else a run of Maven ({@code mvn
 * dependency:build-classpath}) on a small generated pom in that folder, whose result is cached.
 * Several JVMs may resolve at once: a file lock in the cache folder serialises them.
 */
public final class KafkaClasspath {

  /** System property: the broker's classpath, which skips Maven. */
  public static final String CLASSPATH_PROPERTY = "kindling.testkit.kafka.classpath";

  /** Environment variable: the broker's classpath, which skips Maven. */
  public static final String CLASSPATH_ENV = "KINDLING_KAFKA_CLASSPATH";

  /** System property: the folder that caches the resolved classpath. */
  public static final String CACHE_DIR_PROPERTY = "kindling.testkit.kafka.cacheDir";

  /** The version of the dependency plugin that the generated pom uses. */
  static final String DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

  /** The version of slf4j-simple that gives the broker a log (Kafka 3.9 uses slf4j 1.7). */
  static final String SLF4J_SIMPLE_VERSION = "1.7.36";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaClasspath.class);
  private static final long MAVEN_TIMEOUT_MINUTES = 10;

  private KafkaClasspath() {}

  /**
   * Returns the broker's classpath entries.
   *
   * @param kafkaVersion the version of {@code kafka_2.13}, for example {@code 3.9.1}
   * @return the jars, all existing
   * @throws IllegalStateException when Maven is missing or fails; the message holds its output
   */
  public static List<Path> resolve(String kafkaVersion) {
    String override = System.getProperty(CLASSPATH_PROPERTY);
    if (override == null || override.isBlank()) {
      override = System.getenv(CLASSPATH_ENV);
    }
    if (override != null && !override.isBlank()) {
      return split(override);
    }
    Path cache = cacheDirectory(kafkaVersion);
    try {
      Files.createDirectories(cache);
      try (FileChannel channel = FileChannel.open(cache.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        Path classpathFile = cache.resolve("classpath.txt");
        if (Files.isRegularFile(classpathFile)) {
          List<Path> cached = split(Files.readString(classpathFile, StandardCharsets.UTF_8));
          if (!cached.isEmpty() && cached.stream().allMatch(Files::isRegularFile)) {
            return cached;
          }
        }
        runMaven(cache, kafkaVersion);
        return split(Files.readString(classpathFile, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot resolve the classpath of the Kafka broker "
          + kafkaVersion + " in " + cache + ": " + e, e);
    }
  }

  /**
   * The folder that caches the resolved classpath: the system property {@value
   * #CACHE_DIR_PROPERTY}, else {@code ${java.io.tmpdir}/kindling-kafka-broker-VERSION}.
   *
   * @param kafkaVersion the broker's version
   * @return the folder, which may not exist yet
   */
  public static Path cacheDirectory(String kafkaVersion) {
    String configured = System.getProperty(CACHE_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    return Paths.get(System.getProperty("java.io.tmpdir"), "kindling-kafka-broker-" + kafkaVersion);
  }

  /**
   * Finds the Maven launcher: {@code $MAVEN_HOME/bin/mvn}, {@code $M2_HOME/bin/mvn}, then
   * {@code mvn} on the {@code PATH}.
   *
   * @return the executable
   * @throws IllegalStateException when none is found, saying how to fix it
   */
  public static Path findMaven() {
    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    List<String> names = windows ? List.of("mvn.cmd", "mvn.bat", "mvn") : List.of("mvn");
    List<Path> folders = new ArrayList<>();
    for (String home : new String[] {System.getenv("MAVEN_HOME"), System.getenv("M2_HOME")}) {
      if (home != null && !home.isBlank()) {
        folders.add(Paths.get(home, "bin"));
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          folders.add(Paths.get(entry));
        }
      }
    }
    for (Path folder : folders) {
      for (String name : names) {
        Path candidate = folder.resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("Cannot find Maven (mvn) to resolve the Kafka broker's jars: "
        + "looked in $MAVEN_HOME/bin, $M2_HOME/bin and the PATH. Install Maven, or set the system "
        + "property " + CLASSPATH_PROPERTY + " or the environment variable " + CLASSPATH_ENV
        + " to the classpath of org.apache.kafka:kafka_2.13 and its dependencies.");
  }

  private static void runMaven(Path cache, String kafkaVersion) throws IOException {
    Path pom = cache.resolve("pom.xml");
    Files.writeString(pom, pom(kafkaVersion), StandardCharsets.UTF_8);
    Path output = cache.resolve("classpath.txt.tmp");
    Files.deleteIfExists(output);
    Path log = cache.resolve("maven.log");
    List<String> command = new ArrayList<>(List.of(findMaven().toString(), "-B", "-q",
        "-f", pom.toString(), DEPENDENCY_PLUGIN + ":build-classpath",
        "-Dmdep.outputFile=" + output, "-Dmdep.includeScope=runtime"));
    String localRepository = System.getProperty("maven.repo.local");
    if (localRepository != null && !localRepository.isBlank()) {
      command.add("-Dmaven.repo.local=" + localRepository);
    }
    LOG.info("Resolving the Kafka broker {} with Maven in {}", kafkaVersion, cache);
    Process process = new ProcessBuilder(command).directory(cache.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int exit;
    try {
      if (!process.waitFor(MAVEN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("Maven did not resolve the Kafka broker within "
            + MAVEN_TIMEOUT_MINUTES + " minutes: " + String.join(" ", command)
            + "\n" + LogTail.of(log));
      }
      exit = process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Maven resolved the Kafka broker", e);
    }
    if (exit != 0 || !Files.isRegularFile(output)) {
      throw new IllegalStateException("Maven failed (exit " + exit + ") to resolve the Kafka broker "
          + kafkaVersion + ": " + String.join(" ", command) + "\n" + LogTail.of(log)
          + "\nFix the Maven setup, or set " + CLASSPATH_PROPERTY + " / " + CLASSPATH_ENV + ".");
    }
    Files.move(output, cache.resolve("classpath.txt"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  static String pom(String kafkaVersion) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>dev.kindling.generated</groupId>\n"
        + "  <artifactId>kafka-broker-classpath</artifactId>\n"
        + "  <version>" + kafkaVersion + "</version>\n"
        + "  <packaging>pom</packaging>\n"
        + "  <dependencies>\n"
        + "    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>"
        + "<version>" + kafkaVersion + "</version></dependency>\n"
        + "    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId>"
        + "<version>" + SLF4J_SIMPLE_VERSION + "</version></dependency>\n"
        + "  </dependencies>\n"
        + "</project>\n";
  }

  private static List<Path> split(String classpath) {
    List<Path> entries = new ArrayList<>();
    for (String entry : classpath.trim().split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(Paths.get(entry.trim()));
      }
    }
    return entries;
  }
}
