package dev.kindling.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code main} class run in a JVM of its own, with the test's class path and (optionally) the
 * JVM options Spark needs: for tests of what only a separate process shows — a SIGTERM, a
 * {@code kill -9}, an exit code, a restart from what the last process left on disk.
 *
 * <pre>{@code
 * try (ForkedJvm service = ForkedJvm.builder("dev.kindling.service.Main").spark()
 *         .env("KINDLING_PATTERN", "ondemand").env("PORT", "0").start()) {
 *   int port = Integer.parseInt(service.awaitLine("listening on http://[^:]+:(\\d+)", Duration.ofMinutes(2)).group(1));
 *   ...
 *   service.terminate();                                   // SIGTERM
 *   assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
 * }
 * }</pre>
 *
 * <p>Standard output and error are merged and kept line by line ({@link #lines()}). Environment
 * variables whose names start with {@code KINDLING_} or {@code SPARK_}, and {@code PORT}, are not
 * inherited from the test's environment: the child sees only those it is given. {@link #close()}
 * kills the process if it still runs. Thread-safe.
 */
public final class ForkedJvm implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ForkedJvm(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // the process has exited
      }
    }, "forked-jvm-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** A builder for a JVM that runs {@code mainClass}. */
  public static Builder builder(String mainClass) {
    return new Builder(mainClass);
  }

  /** A builder for a JVM that runs {@code mainClass}. */
  public static Builder builder(Class<?> mainClass) {
    return new Builder(mainClass.getName());
  }

  /** The lines the process wrote so far (standard output and error, merged). */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Everything the process wrote so far, one line per line. */
  public String output() {
    return String.join("\n", lines);
  }

  /**
   * Waits until a line matches {@code regex} (searched for, not matched whole) and returns the match.
   *
   * @throws AssertionError when the process exits first or {@code timeout} passes; the message holds the output
   */
  public Matcher awaitLine(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (true) {
      List<String> now = lines();
      for (int i = seen; i < now.size(); i++) {
        Matcher m = p.matcher(now.get(i));
        if (m.find()) {
          return m;
        }
      }
      seen = now.size();
      if (!process.isAlive() && !reader.isAlive() && lines.size() == seen) {
        throw new AssertionError("the process exited (" + process.exitValue() + ") before a line matched /" + regex + "/:\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line matched /" + regex + "/ within " + timeout + ":\n" + output());
      }
      try {
        // the poll interval: wait for the process to exit, at most 50 ms
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for /" + regex + "/", e);
      }
    }
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends SIGTERM. (Through the process handle: {@code Process.destroy()} would also close this
   * side of the child's output, and its last lines would be lost.)
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Sends SIGKILL: the process dies at once, no shutdown hook runs. */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  /**
   * Waits for the process to exit and its output to be read; returns its exit code.
   *
   * @throws AssertionError when it still runs after {@code timeout}
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the process still runs after " + timeout + ":\n" + output());
      }
      reader.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the process to exit", e);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.toHandle().destroyForcibly();
    }
  }

  /** Builds a {@link ForkedJvm}: the main class, its arguments, environment and JVM options. */
  public static final class Builder {
    private final String mainClass;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String classPath = System.getProperty("java.class.path");
    private Path directory;

    private Builder(String mainClass) {
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
    }

    /** Adds the JVM options Spark 4 needs on Java 17 outside spark-submit. */
    public Builder spark() {
      jvmOptions.addAll(List.of(SparkStandaloneCluster.JvmOptions.SPARK_OPENS));
      return this;
    }

    /** Adds JVM options ({@code -Xmx1g}, {@code -Dname=value}). */
    public Builder jvmOptions(String... options) {
      jvmOptions.addAll(List.of(options));
      return this;
    }

    /** Adds program arguments. */
    public Builder args(String... arguments) {
      args.addAll(List.of(arguments));
      return this;
    }

    /** Sets an environment variable of the child. */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets environment variables of the child. */
    public Builder env(Map<String, String> variables) {
      variables.forEach(this::env);
      return this;
    }

    /** The class path; default the test's. */
    public Builder classPath(String classPath) {
      this.classPath = Objects.requireNonNull(classPath, "classPath");
      return this;
    }

    /** The working folder; default the test's. */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Starts the JVM. */
    public ForkedJvm start() {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.addAll(List.of("-cp", classPath, mainClass));
      command.addAll(args);
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
      if (directory != null) {
        b.directory(directory.toFile());
      }
      b.environment().keySet().removeIf(k -> k.startsWith("KINDLING_") || k.startsWith("SPARK_") || k.equals("PORT"));
      b.environment().putAll(env);
      try {
        return new ForkedJvm(b.start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
      }
    }
  }
}
