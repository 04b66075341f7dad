package dev.kindling.examples.evens;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kindling used as a Maven dependency: a separate project outside this build takes kindling-core and
 * kindling-testkit from the local repository (put there by {@code mvn install}), runs a pipeline
 * and tests it with the testkit.
 */
class MavenConsumerIT {

    @Test
    void aSeparateProjectBuildsAndTestsAgainstTheInstalledArtifacts(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("consumer");
        copy(Path.of("src", "test", "resources", "consumer-project"), project);
        String version = System.getProperty("kindling.version", "0.1.0-SNAPSHOT");
        Path home = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "kindling");
        assertThat(home.resolve("kindling-core").resolve(version)).as("kindling-core installed by mvn install").isDirectory();
        assertThat(home.resolve("kindling-core").resolve(version).resolve("kindling-core-" + version + "-sources.jar")).exists();
        assertThat(home.resolve("kindling-core").resolve(version).resolve("kindling-core-" + version + "-javadoc.jar")).exists();

        Path log = dir.resolve("mvn.log");
        // Not offline: a project without Kindling's parent resolves transitive POMs (Spark's older Jackson
        // BOMs, say) that this build pins away and so never downloaded. Kindling itself comes from ~/.m2.
        Process p = new ProcessBuilder("mvn", "-B", "verify", "-Dkindling.version=" + version)
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as("the consumer build finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0").contains("BUILD SUCCESS");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        assertThat(Files.exists(to.resolve("pom.xml"))).isTrue();
    }
}
