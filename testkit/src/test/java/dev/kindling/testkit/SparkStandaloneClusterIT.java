package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A real master and two workers; an application submitted by the real spark-submit runs its tasks in executor JVMs. */
@KindlingSparkClusterTest
class SparkStandaloneClusterIT {

  @Test
  void twoWorkersRegisterWithTheMaster(SparkStandaloneCluster cluster) {
    assertThat(cluster.masterUrl()).matches("spark://127\\.0\\.0\\.1:\\d+");
    assertThat(cluster.aliveWorkers()).isEqualTo(2);
    assertThat(cluster.masterStatus()).contains("\"aliveworkers\" : 2").contains("\"cores\" : 2");
    assertThat(cluster.sparkHome().resolve("jars")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("spark-core_2.13"));
  }

  @Test
  void spark_submitRunsTasksInExecutorJvmsOnTheWorkers(SparkStandaloneCluster cluster) throws Exception {
    Path app;
    try (Stream<Path> jars = Files.list(cluster.sparkHome().resolve("jars"))) {
      app = jars.filter(p -> p.getFileName().toString().startsWith("classes-")).filter(SparkStandaloneClusterIT::holdsProbe)
          .findFirst().orElseThrow();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(System.getProperty("kindling.spark.jvm.opens", "").split(" ")));
    command.removeIf(String::isBlank);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.apache.spark.deploy.SparkSubmit",
        "--master", cluster.masterUrl(), "--deploy-mode", "client", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.executor.memory=512m", "--conf", "spark.ui.enabled=false",
        "--class", ClusterProbeMain.class.getName(), app.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    long driver = Long.parseLong(line(out, "DRIVER="));
    List<Long> executors = Arrays.stream(line(out, "EXECUTORS=").split(",")).map(Long::parseLong).toList();
    assertThat(executors).as("tasks ran in executor JVMs, not in the driver").isNotEmpty().doesNotContain(driver);
    assertThat(line(out, "COUNT=")).isEqualTo("333334");
  }

  private static boolean holdsProbe(Path jar) {
    try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
      return j.getEntry("dev/kindling/testkit/ClusterProbeMain.class") != null;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String line(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in:\n" + out));
  }
}
