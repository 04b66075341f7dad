package dev.kindling.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Spark home assembled from jars: Spark's distribution is its jars plus scripts, and a
 * standalone master, its workers and their executors need only {@code SPARK_HOME/jars}. The jars
 * come from a class path (the test JVM's, or one Maven resolved); class folders on it (a module's
 * {@code target/classes}) are packed into jars, so executors load the same classes as the driver.
 */
public final class SparkHome {

  private SparkHome() {}

  /**
   * Assembles {@code home/jars} from {@code classPath}: jars are linked (or copied where links
   * are not possible), folders are packed.
   *
   * @return {@code home}
   */
  public static Path assemble(Path home, List<Path> classPath) {
    Path jars = home.resolve("jars");
    try {
      Files.createDirectories(jars);
      Files.createDirectories(home.resolve("conf"));
      int n = 0;
      Set<String> names = new LinkedHashSet<>();
      for (Path entry : classPath) {
        if (!Files.exists(entry)) {
          continue;
        }
        n++;
        if (Files.isDirectory(entry)) {
          pack(entry, jars.resolve(String.format("classes-%03d.jar", n)));
        } else if (entry.toString().endsWith(".jar")) {
          String name = entry.getFileName().toString();
          Path target = jars.resolve(names.add(name) ? name : n + "-" + name);
          try {
            Files.createSymbolicLink(target, entry.toAbsolutePath());
          } catch (UnsupportedOperationException | IOException e) {
            Files.copy(entry, target);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot assemble a Spark home in " + home, e);
    }
    return home;
  }

  /**
   * The entries of this JVM's class path; a manifest-only jar (as Maven's Surefire and Failsafe
   * use) is replaced by the entries its {@code Class-Path} names.
   */
  public static List<Path> currentClassPath() {
    List<Path> out = new ArrayList<>();
    for (String part : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (part.isBlank()) {
        continue;
      }
      Path p = Paths.get(part);
      List<Path> fromManifest = manifestClassPath(p);
      if (fromManifest.isEmpty()) {
        out.add(p);
      } else {
        out.addAll(fromManifest);
      }
    }
    return out;
  }

  private static List<Path> manifestClassPath(Path jar) {
    if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
      return List.of();
    }
    try (JarFile f = new JarFile(jar.toFile())) {
      Manifest m = f.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (cp == null || cp.isBlank() || f.stream().anyMatch(e -> e.getName().endsWith(".class"))) {
        return List.of();
      }
      List<Path> out = new ArrayList<>();
      for (String url : cp.trim().split("\\s+")) {
        out.add(Paths.get(java.net.URI.create(url.startsWith("file:") ? url : jar.toUri().resolve(url).toString())));
      }
      return out;
    } catch (IOException | IllegalArgumentException e) {
      return List.of();
    }
  }

  private static void pack(Path folder, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          String name = folder.relativize(file).toString().replace(File.separatorChar, '/');
          if (!name.equals("META-INF/MANIFEST.MF")) {
            j.putNextEntry(new JarEntry(name));
            Files.copy(file, j);
            j.closeEntry();
          }
          return FileVisitResult.CONTINUE;
        }
      });
    }
  }
}
