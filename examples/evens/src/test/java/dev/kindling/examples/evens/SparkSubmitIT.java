package dev.kindling.examples.evens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thin application jar runs under the real spark-submit (org.apache.spark.deploy.SparkSubmit) with Spark's own class path. */
class SparkSubmitIT {
    private static Path appJar;

    @BeforeAll
    static void findJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            appJar = files.filter(p -> p.getFileName().toString().matches("kindling-example-evens-.*-app\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no -app.jar in target/; run the package phase first"));
        }
    }

    @Test
    void theApplicationJarHoldsKindlingButNoSpark() throws IOException {
        try (JarFile jar = new JarFile(appJar.toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertThat(names).contains("dev/kindling/examples/evens/EvensApp.class", "dev/kindling/ipp/Pipeline.class");
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/spark/"));
            assertThat(names).noneMatch(n -> n.startsWith("scala/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(EvensApp.class.getName());
        }
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
