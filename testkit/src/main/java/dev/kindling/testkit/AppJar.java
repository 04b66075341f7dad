package dev.kindling.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A module's app jar, {@code target/ARTIFACT-VERSION-app.jar}, as the package phase built it, and
 * the rules every Kindling app jar keeps: no Spark (but the Kafka connector), no Scala, no
 * unrelocated Jetty, no embedded default (testkit, embedded PostgreSQL), and a size bound.
 *
 * <pre>{@code
 * AppJar jar = AppJar.of("kindling-example-evens");
 * assertThat(jar.forbiddenEntries()).isEmpty();
 * }</pre>
 */
public final class AppJar {
    /** Where Spark's Kafka connector lives: the one part of Spark an app jar may hold. */
    public static final List<String> KAFKA_CONNECTOR = List.of("org/apache/spark/sql/kafka010/", "org/apache/spark/kafka010/");

    private final Path path;
    private final List<String> entries;

    private AppJar(Path path, List<String> entries) {
        this.path = path;
        this.entries = entries;
    }

    /** The app jar of {@code artifactId} in {@code target/}; fails when the package phase has not built it. */
    public static AppJar of(String artifactId) {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            Path jar = files.filter(p -> p.getFileName().toString().matches("\\Q" + artifactId + "\\E-[^-].*-app\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/" + artifactId + "-*-app.jar; run mvn package first"));
            try (JarFile f = new JarFile(jar.toFile())) {
                return new AppJar(jar, f.stream().map(e -> e.getName()).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path() {
        return path;
    }

    public List<String> entries() {
        return entries;
    }

    public long size() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries no app jar may hold: Spark outside the Kafka connector, Scala, unrelocated Jetty, the embedded defaults. */
    public List<String> forbiddenEntries() {
        return entries.stream().filter(n -> !n.endsWith("/")).filter(n ->
                (n.startsWith("org/apache/spark/") && KAFKA_CONNECTOR.stream().noneMatch(n::startsWith))
                        || n.startsWith("scala/")
                        || n.startsWith("org/eclipse/jetty/")
                        || n.startsWith("com/fasterxml/jackson/")
                        || n.startsWith("dev/kindling/testkit/")
                        || n.startsWith("io/zonky/")).toList();
    }

    /**
     * The class path spark-submit gives a driver of this jar: the jar, then Spark's own jars, which the build writes to
     * {@code target/spark-classpath.txt} (no Maven, no testkit).
     */
    public String sparkClassPath() {
        try {
            return path.toAbsolutePath() + java.io.File.pathSeparator + Files.readString(Path.of("target", "spark-classpath.txt")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("no target/spark-classpath.txt: run mvn verify, which writes it", e);
        }
    }

    /** How a run of {@link #runWithout} ended: its exit status and every line it wrote (stdout and stderr). */
    public record Exit(int status, List<String> lines) {
    }

    /**
     * Runs {@code mainClass} of this jar in a new JVM as spark-submit would (on {@link #sparkClassPath()}, with the
     * module options of the system property {@code kindling.spark.jvm.opens}), in this JVM's environment less the
     * variables named, and waits for it to end.
     *
     * <pre>{@code
     * AppJar.Exit exit = AppJar.of("kindling-example-wordcount").runWithout("dev.kindling.examples.wordcount.WordCountApp",
     *         Duration.ofSeconds(60), "KAFKA_BOOTSTRAP_SERVERS", "KINDLING_EMBEDDED");
     * exit.status();   // 2
     * }</pre>
     *
     * @throws IllegalStateException when it has not ended within {@code timeout} (it is killed)
     */
    public Exit runWithout(String mainClass, java.time.Duration timeout, String... unset) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : System.getProperty("kindling.spark.jvm.opens", "").split(" ")) {
            if (!option.isBlank()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", sparkClassPath(), mainClass));
        try {
            Path log = Files.createTempFile("kindling-app-", ".log");
            try {
                ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                b.environment().keySet().removeAll(List.of(unset));
                Process p = b.start();
                if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(mainClass + " did not end within " + timeout + "; its output:\n" + Files.readString(log));
                }
                return new Exit(p.exitValue(), Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + mainClass + " ran", e);
        }
    }

    /**
     * The text of log4j's plugin list in the jar ({@code Log4j2Plugins.dat}, merged by the shade plugin), in which a
     * log plugin such as Kindling's {@code %redacted} converter must be named for a log layout to find it.
     *
     * @throws IllegalStateException when the jar has no plugin list
     */
    public String log4jPlugins() {
        String name = "META-INF/org/apache/logging/log4j/core/config/plugins/Log4j2Plugins.dat";
        try (JarFile f = new JarFile(path.toFile())) {
            java.util.jar.JarEntry entry = f.getJarEntry(name);
            if (entry == null) {
                throw new IllegalStateException("no " + name + " in " + path);
            }
            try (java.io.InputStream in = f.getInputStream(entry)) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of the manifest's {@code Main-Class}. */
    public String mainClass() {
        try (JarFile f = new JarFile(path.toFile())) {
            return f.getManifest().getMainAttributes().getValue("Main-Class");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
