package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app, as spark-submit runs it (the app jar on Spark's own class path: no Maven, no testkit),
 * with no {@code RECOMMENDER_JDBC_URL} and no {@code KINDLING_EMBEDDED}: it stops at once with one line that names the variable.
 */
class MissingEndpointIT {
    @Test
    void withoutTheEndpointItStopsAtOnceNamingTheVariable(@TempDir Path dir) throws Exception {
        String classPath = AppJar.of("kindling-example-recommender").path().toAbsolutePath() + File.pathSeparator
                + Files.readString(Path.of("target", "spark-classpath.txt")).strip();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("kindling.spark.jvm.opens", "").split(" ")));
        command.removeIf(String::isBlank);
        command.addAll(List.of("-cp", classPath, "dev.kindling.examples.recommender.RecommenderApp"));
        Path log = dir.resolve("out.log");
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = b.environment();
        env.keySet().removeIf(k -> k.equals("RECOMMENDER_JDBC_URL") || k.equals("KINDLING_EMBEDDED") || k.equals("KINDLING_CONFIG"));
        Process p = b.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the app stopped").isTrue();
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).containsExactly(RecommenderApp.MISSING_DATABASE);
        assertThat(p.exitValue()).isEqualTo(2);
    }
}
