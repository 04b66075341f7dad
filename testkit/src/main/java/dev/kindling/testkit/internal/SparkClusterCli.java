package dev.kindling.testkit.internal;

import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code bin/spark-cluster start|stop|status}: a {@link SparkStandaloneCluster} that outlives the
 * command that started it. {@code start} writes the master's URL and the processes' ids to a state
 * file ({@code STATE_DIR/cluster.properties}, {@code STATE_DIR} from the first argument after the
 * verb); {@code stop} ends those processes, workers first; {@code status} prints the master's
 * state. Exit codes: 0 done, 1 failed, 2 usage, 3 no cluster running.
 */
public final class SparkClusterCli {
  private SparkClusterCli() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !List.of("start", "stop", "status").contains(args[0])) {
      System.err.println("usage: SparkClusterCli start|stop|status STATE_DIR");
      System.exit(2);
    }
    Path state = Paths.get(args[1]).resolve("cluster.properties");
    switch (args[0]) {
      case "start" -> start(state);
      case "stop" -> System.exit(stop(state));
      default -> System.exit(status(state));
    }
  }

  private static void start(Path state) throws IOException {
    if (Files.exists(state) && alive(load(state))) {
      Properties p = load(state);
      System.out.println("a cluster is already running: " + p.getProperty("master"));
      System.exit(0);
    }
    SparkStandaloneCluster cluster = SparkStandaloneCluster.start(new SparkStandaloneCluster.Options(
        Integer.getInteger("kindling.cluster.workers", 2), Integer.getInteger("kindling.cluster.cores", 1),
        System.getProperty("kindling.cluster.memory", "1g"), null, false));
    Properties p = new Properties();
    p.setProperty("master", cluster.masterUrl());
    p.setProperty("web", cluster.masterWebUrl());
    p.setProperty("directory", cluster.directory().toString());
    p.setProperty("pids", String.join(",", ProcessHandle.current().children().map(h -> Long.toString(h.pid())).toList()));
    Files.createDirectories(state.getParent());
    try (Writer w = Files.newBufferedWriter(state, StandardCharsets.UTF_8)) {
      p.store(w, "bin/spark-cluster");
    }
    System.out.println("Spark standalone cluster running: " + cluster.masterUrl() + " (web UI " + cluster.masterWebUrl()
        + ", logs in " + cluster.directory() + ")");
    System.out.println("use it with: SPARK_MASTER=" + cluster.masterUrl());
    Runtime.getRuntime().halt(0); // leave the cluster running: no shutdown hook may stop it
  }

  private static int stop(Path state) throws IOException {
    if (!Files.exists(state)) {
      System.out.println("no cluster is running");
      return 3;
    }
    Properties p = load(state);
    List<ProcessHandle> handles = handles(p);
    List<ProcessHandle> reversed = new ArrayList<>(handles);
    java.util.Collections.reverse(reversed);
    for (ProcessHandle h : reversed) {
      h.descendants().forEach(ProcessHandle::destroy);
      h.destroy();
      try {
        h.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    Files.delete(state);
    String dir = p.getProperty("directory");
    if (dir != null && Path.of(dir).getFileName().toString().startsWith("kindling-spark-cluster-")) {
      deleteTree(Path.of(dir)); // the cluster's own temporary directory: logs, work dirs, its Spark home's links
    }
    System.out.println("stopped the cluster at " + p.getProperty("master"));
    return 0;
  }

  private static int status(Path state) throws IOException {
    if (!Files.exists(state) || !alive(load(state))) {
      System.out.println("no cluster is running");
      return 3;
    }
    Properties p = load(state);
    System.out.println("master " + p.getProperty("master") + ", web UI " + p.getProperty("web") + ", processes "
        + p.getProperty("pids"));
    return 0;
  }

  private static boolean alive(Properties p) {
    List<ProcessHandle> h = handles(p);
    return !h.isEmpty() && h.stream().allMatch(ProcessHandle::isAlive);
  }

  private static List<ProcessHandle> handles(Properties p) {
    List<ProcessHandle> out = new ArrayList<>();
    for (String pid : p.getProperty("pids", "").split(",")) {
      if (!pid.isBlank()) {
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Properties load(Path state) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
