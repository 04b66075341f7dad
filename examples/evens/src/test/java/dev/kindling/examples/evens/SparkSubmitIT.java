package dev.kindling.examples.evens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app jar (see {@link AppJarIT} for what it holds) runs under the real spark-submit (org.apache.spark.deploy.SparkSubmit) with Spark's own class path. */
class SparkSubmitIT {
    private static Path appJar;

    @BeforeAll
    static void findJar() {
        appJar = AppJar.of("kindling-example-evens").path();
    }

    @Test
    void runsUnderTheRealSparkSubmit(@TempDir Path dir) throws Exception {
        String sparkClasspath = Files.readString(Path.of("target", "spark-classpath.txt")).strip();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("kindling.spark.jvm.opens", "").split(" ")));
        command.removeIf(String::isBlank);
        command.addAll(List.of("-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.ui.enabled=false",
                "--class", EvensApp.class.getName(), appJar.toAbsolutePath().toString(), "1000", dir.resolve("out").toString()));
        Path log = dir.resolve("spark-submit.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("evens in 0..999: 500");
    }
}
