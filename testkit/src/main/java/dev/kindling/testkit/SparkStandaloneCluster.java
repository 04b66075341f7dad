package dev.kindling.testkit;

import dev.kindling.testkit.internal.FreePorts;
import dev.kindling.testkit.internal.LogTail;
import dev.kindling.testkit.internal.ParentWatchdog;
import dev.kindling.testkit.internal.SparkHome;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Spark standalone cluster on this machine: one master and (by default) two workers, each
 * in its own JVM, on free ports of 127.0.0.1, with a Spark home assembled from jars (Spark's
 * distribution is its jars plus scripts). Executors start in JVMs of their own, as on any
 * cluster, and load the same classes as the driver.
 *
 * <pre>{@code
 * @KindlingSparkClusterTest
 * class PiOnAClusterIT {
 *   @Test
 *   void runsOnTheWorkers(SparkStandaloneCluster cluster) {
 *     SparkSession spark = SparkSession.builder().master(cluster.masterUrl())
 *         .config("spark.driver.host", "127.0.0.1").config("spark.executor.memory", "512m").getOrCreate();
 *     assertThat(spark.range(1000).count()).isEqualTo(1000L);
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link SparkClusterExtension} starts one cluster per test JVM on first use
 * and stops it when JUnit ends the run; {@link #start()} and {@link #close()} work outside JUnit,
 * and {@code bin/spark-cluster start|stop|status} does the same from a shell. Within a JVM, the
 * master and workers run under a watchdog that ends them when the starting JVM dies, even by
 * {@code kill -9}; {@link #close()} stops the workers, then the master (their executors end with
 * them) and deletes the cluster's folder.
 *
 * <p><b>Jars.</b> {@code SPARK_HOME/jars} holds the jars of the starting JVM's class path (class
 * folders packed into jars); {@link #start(Options)} can take another class path. Workers need
 * {@code SPARK_SCALA_VERSION=2.13} to find them, which the cluster sets.
 *
 * <p>Thread-safe.
 */
@SuppressWarnings("deprecation") // CloseableResource keeps JUnit before 5.13 closing the cluster
public final class SparkStandaloneCluster implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  private static final Logger LOG = LoggerFactory.getLogger(SparkStandaloneCluster.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

  /**
   * How to start a cluster.
   *
   * @param workers        workers to start; 1 to 8
   * @param coresPerWorker cores each worker offers; at least 1
   * @param memoryPerWorker memory each worker offers to executors, as Spark writes it ({@code 1g})
   * @param classPath      the jars (and class folders) of {@code SPARK_HOME/jars}; null: this JVM's class path
   * @param watchParent    whether the cluster's JVMs end when this JVM ends (false for {@code bin/spark-cluster})
   */
  public record Options(int workers, int coresPerWorker, String memoryPerWorker, List<Path> classPath, boolean watchParent) {
    /** Two workers of one core and 1 GiB each, this JVM's class path, watched. */
    public static Options defaults() {
      return new Options(2, 1, "1g", null, true);
    }
  }

  private final Path directory;
  private final Path sparkHome;
  private final String masterUrl;
  private final String masterWebUrl;
  private final Process master;
  private final List<Process> workers;
  private final Thread shutdownHook;
  private boolean closed;

  private SparkStandaloneCluster(Path directory, Path sparkHome, String masterUrl, String masterWebUrl, Process master,
                                 List<Process> workers) {
    this.directory = directory;
    this.sparkHome = sparkHome;
    this.masterUrl = masterUrl;
    this.masterWebUrl = masterWebUrl;
    this.master = master;
    this.workers = List.copyOf(workers);
    this.shutdownHook = new Thread(this::destroyAll, "kindling-spark-cluster-killer");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a cluster with {@link Options#defaults()}: two workers of one core and 1 GiB each. */
  public static SparkStandaloneCluster start() {
    return start(Options.defaults());
  }

  /**
   * Starts a master and its workers and returns when every worker has registered (10 to 20 s).
   *
   * @throws IllegalStateException when the cluster does not come up; the message holds the logs' tails
   */
  public static SparkStandaloneCluster start(Options options) {
    if (options.workers() < 1 || options.workers() > 8 || options.coresPerWorker() < 1) {
      throw new IllegalArgumentException("a cluster has 1 to 8 workers of at least 1 core; got " + options);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("kindling-spark-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a folder for the Spark cluster", e);
    }
    Path home = SparkHome.assemble(dir.resolve("spark-home"),
        options.classPath() == null ? SparkHome.currentClassPath() : options.classPath());
    int[] ports = FreePorts.pick(2 + 2 * options.workers());
    String masterUrl = "spark://127.0.0.1:" + ports[0];
    String webUrl = "http://127.0.0.1:" + ports[1];
    List<Process> started = new ArrayList<>();
    try {
      Process master = launch(home, dir, "master", options.watchParent(), "org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", Integer.toString(ports[0]), "--webui-port", Integer.toString(ports[1]));
      started.add(master);
      List<Process> workers = new ArrayList<>();
      for (int i = 0; i < options.workers(); i++) {
        Path work = Files.createDirectories(dir.resolve("work-" + i));
        Process w = launch(home, dir, "worker-" + i, options.watchParent(), "org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", Integer.toString(ports[2 + 2 * i]),
            "--webui-port", Integer.toString(ports[3 + 2 * i]), "--cores", Integer.toString(options.coresPerWorker()),
            "--memory", options.memoryPerWorker(), "--work-dir", work.toString(), masterUrl);
        started.add(w);
        workers.add(w);
      }
      SparkStandaloneCluster cluster = new SparkStandaloneCluster(dir, home, masterUrl, webUrl, master, workers);
      cluster.awaitWorkers(options.workers());
      LOG.info("Spark standalone cluster up at {} ({} workers, UI {})", masterUrl, options.workers(), webUrl);
      return cluster;
    } catch (IOException | RuntimeException e) {
      String logs = logs(dir);
      started.forEach(Process::destroyForcibly);
      throw new IllegalStateException("the Spark standalone cluster did not start: " + e.getMessage() + "\n" + logs, e);
    }
  }

  private static Process launch(Path home, Path dir, String name, boolean watchParent, String main, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Paths.get("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid"); // a Ctrl-C in a terminal must not reach the cluster before the service
    }
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC"));
    command.addAll(List.of(JvmOptions.SPARK_OPENS));
    command.add("-cp");
    String jars = home.resolve("jars").toString() + File.separator + "*";
    if (watchParent) {
      command.add(watchdogLocation() + File.pathSeparator + jars);
      command.add(ParentWatchdog.class.getName());
      command.add(Long.toString(ProcessHandle.current().pid()));
    } else {
      command.add(jars);
    }
    command.add(main);
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    Map<String, String> env = b.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_CONF_DIR", home.resolve("conf").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return b.start();
  }

  private static String watchdogLocation() {
    try {
      return Paths.get(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot locate the classes of kindling-testkit", e);
    }
  }

  private void awaitWorkers(int expected) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (true) {
      if (!master.isAlive()) {
        throw new IllegalStateException("the master exited with code " + master.exitValue());
      }
      for (Process w : workers) {
        if (!w.isAlive()) {
          throw new IllegalStateException("a worker exited with code " + w.exitValue());
        }
      }
      if (aliveWorkers(http) >= expected) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("fewer than " + expected + " workers registered within " + START_TIMEOUT.toSeconds() + " s");
      }
      try {
        // the poll interval: wait for the master to exit, at most 200 ms
        master.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the Spark workers", e);
      }
    }
  }

  private int aliveWorkers(HttpClient http) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(masterWebUrl + "/json/"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = ALIVE_WORKERS.matcher(r.body());
      return r.statusCode() == 200 && m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The master's URL, {@code spark://127.0.0.1:PORT}, for {@code spark.master}. */
  public String masterUrl() {
    return masterUrl;
  }

  /** The master's web UI; {@code /json/} lists workers and applications. */
  public String masterWebUrl() {
    return masterWebUrl;
  }

  /** The assembled Spark home ({@code jars/}, {@code conf/}). */
  public Path sparkHome() {
    return sparkHome;
  }

  /** The folder of the cluster's logs ({@code master.log}, {@code worker-N.log}) and work folders. */
  public Path directory() {
    return directory;
  }

  /** The workers the master sees alive now. */
  public int aliveWorkers() {
    return aliveWorkers(HttpClient.newHttpClient());
  }

  /** The master's JSON status ({@code /json/}): workers, cores, applications and their cores in use. */
  public String masterStatus() {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(masterWebUrl + "/json/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the master's status at " + masterWebUrl, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the workers, then the master (SIGTERM, then SIGKILL after 15 s), and deletes the folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Process w : workers) {
      stop(w);
    }
    stop(master);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shutdownInProgress) {
      // the hook runs anyway and finds the processes gone
    }
    delete(directory);
  }

  private void destroyAll() {
    workers.forEach(Process::destroyForcibly);
    master.destroyForcibly();
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String logs(Path dir) {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        out.append("--- ").append(f.getFileName()).append('\n').append(LogTail.of(f)).append('\n');
      }
    } catch (IOException e) {
      out.append("(logs unreadable: ").append(e.getMessage()).append(")");
    }
    return out.toString();
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete the Spark cluster's folder {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "SparkStandaloneCluster[" + masterUrl + ", " + workers.size() + " workers]";
  }

  /** The JVM options Spark 4 needs on Java 17 outside spark-submit. */
  static final class JvmOptions {
    static final String[] SPARK_OPENS = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
        "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
        "-Dio.netty.tryReflectionSetAccessible=true"};

    private JvmOptions() {}
  }
}
