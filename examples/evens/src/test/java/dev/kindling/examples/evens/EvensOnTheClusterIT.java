package dev.kindling.examples.evens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import dev.kindling.testkit.ReadmeCommand;
import dev.kindling.testkit.KindlingSparkClusterTest;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app jar on a real standalone cluster (a master and two workers from the testkit), through the real
 * {@code org.apache.spark.deploy.SparkSubmit}, in cluster deploy mode (the driver in a worker's JVM) and, with the
 * standalone command of the README run from its text, in client deploy mode (the driver in the spark-submit JVM):
 * the same answer as on the embedded default, {@code 500} for {@code 0..999}. Executors come and go by dynamic allocation (Kindling's default on a cluster).
 */
@KindlingSparkClusterTest
class EvensOnTheClusterIT {
    @Test
    void countsTheSameInClusterDeployMode(SparkStandaloneCluster cluster, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("kindling.spark.jvm.opens", "").split(" ")));
        command.removeIf(String::isBlank);
        command.addAll(List.of("-cp", cluster.sparkHome().resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", cluster.masterUrl(), "--deploy-mode", "cluster",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.memory=512m", "--conf", "spark.executor.memory=512m",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.standalone.submit.waitAppCompletion=true",
                "--class", EvensApp.class.getName(), AppJar.of("kindling-example-evens").path().toAbsolutePath().toString(),
                "1000", out.toString()));
        Path log = dir.resolve("spark-submit.log");
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("SPARK_HOME", cluster.sparkHome().toString());
        b.environment().put("SPARK_SCALA_VERSION", "2.13");
        b.environment().keySet().removeIf(k -> k.equals("SPARK_MASTER") || k.startsWith("KINDLING_"));
        Process p = b.start();
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("spark-submit finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(json(out)).as(output).isEqualTo("{\"evens\":500}");
    }

    /** Client deploy mode, as the README gives it. */
    @Test
    void theReadmeCommandRunsOnTheClusterInClientDeployMode(SparkStandaloneCluster cluster, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("readme.log");
        Process p = ReadmeCommand.of("standalone").process(cluster, dir).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("the README's spark-submit finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("evens in 0..999: 500");
    }

    /** The one line of JSON the sink wrote (Spark's part files under {@code out}). */
    private static String json(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return "(no output at " + out + ")";
        }
        try (Stream<Path> files = Files.list(out)) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
            return String.join("\n", lines);
        }
    }
}
