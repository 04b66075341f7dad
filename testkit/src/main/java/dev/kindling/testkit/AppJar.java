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

    /** The value of the manifest's {@code Main-Class}. */
    public String mainClass() {
        try (JarFile f = new JarFile(path.toFile())) {
            return f.getManifest().getMainAttributes().getValue("Main-Class");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
