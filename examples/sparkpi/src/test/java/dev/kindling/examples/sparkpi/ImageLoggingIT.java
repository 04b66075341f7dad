package dev.kindling.examples.sparkpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.AppJar;
import dev.kindling.testkit.ForkedJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's start command, run as a real process outside Docker: the shaded app jar with exactly the JVM options
 * file and log configuration that the Dockerfile copies to {@code /opt/kindling/} (the build writes them to
 * {@code target/image/} from {@code image/} at the project root), Spark's jars beside it as in
 * {@code /opt/spark/jars}. Only the path of the log configuration differs, given after the options file:
 *
 * <pre>{@code
 * java @target/image/jvm.options -Dlog4j2.configurationFile=target/image/log4j2.properties \
 *      -cp target/kindling-example-sparkpi-VERSION-app.jar:SPARK_JARS dev.kindling.examples.sparkpi.SparkPiApp
 * }</pre>
 *
 * <p>It shows that Kindling's {@code %redacted} converter survives shading (its {@code Log4j2Plugins.dat} is found in
 * the app jar), that Spark keeps the configuration instead of loading its own defaults, and that a secret in a
 * logged value (a master URL with a password, in Spark's own error and stack trace and in Kindling's) is printed
 * masked.
 */
class ImageLoggingIT {
    private static final String PASSWORD = "hunter2-image-logging";
    private static final Path OPTIONS = Path.of("target", "image", "jvm.options");
    private static final Path LOG_CONFIG = Path.of("target", "image", "log4j2.properties");
    /** A line of the image's layout: {@code 2026-01-31T12:00:00,123 ERROR [main] SparkContext: ...}. */
    private static final Pattern LAYOUT = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \\[[^\\]]+\\] \\S+: ");
    /** What log4j or Spark print when the configuration is not the one given or a converter is unknown. */
    private static final List<String> LOG_SETUP_ERRORS = List.of("Unrecognized format specifier", "Unrecognized conversion specifier",
            "StatusLogger", "ERROR Unable to", "Using Spark's default log4j profile", "No Log4j 2 configuration file found");

    @Test
    void theOptionsFileHoldsSparksModuleOptionsTheHeapAndTheRedactedLogConfiguration() throws IOException {
        List<String> options = Files.readAllLines(OPTIONS).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).flatMap(l -> Arrays.stream(l.split("\\s+"))).toList();
        String opens = System.getProperty("kindling.spark.jvm.opens");
        assertThat(opens).as("the root pom's spark.jvm.opens, passed by failsafe").isNotBlank();
        assertThat(options).containsAll(Arrays.asList(opens.strip().split("\\s+")));
        assertThat(options).contains("-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError",
                "-Dlog4j2.configurationFile=/opt/kindling/log4j2.properties");
        assertThat(options).noneMatch(o -> o.contains("${"));
        assertThat(Files.readString(LOG_CONFIG)).containsPattern("(?m)^appender\\.console\\.layout\\.pattern = .*%redacted%n$");
    }

    @Test
    void aSecretInSparksAndKindlingsLogLinesIsPrintedMasked() {
        try (ForkedJvm app = imageCommand().env("SPARK_MASTER", "spark://kindling:" + PASSWORD + "@127.0.0.1:7077").start()) {
            // Spark refuses a master URL with user-info; it logs the URL, with a stack trace, and so does the service
            await().atMost(Duration.ofMinutes(2)).until(() -> !app.isAlive());
            assertThat(app.awaitExit(Duration.ofSeconds(30))).as("exit code; output:%n%s", app.output()).isEqualTo(1);
            String out = app.output();
            assertThat(out).doesNotContain(PASSWORD);
            assertThat(LOG_SETUP_ERRORS).noneMatch(out::contains);
            assertThat(app.lines()).anyMatch(l -> LAYOUT.matcher(l).find() && l.contains(" SparkContext: Error initializing SparkContext."));
            assertThat(out).contains("org.apache.spark.SparkException: Invalid master URL: spark://kindling:****@127.0.0.1:7077");
            assertThat(app.lines()).anyMatch(l -> LAYOUT.matcher(l).find()
                    && l.contains(" KindlingService: sparkpi failed to start: Invalid master URL: spark://kindling:****@127.0.0.1:7077"));
        }
    }

    @Test
    void aServingServiceLogsInTheImagesLayoutAtTheImagesLevels() {
        try (ForkedJvm app = imageCommand().env("SPARK_MASTER", "local[1]").env("KINDLING_HTTP_HOST", "127.0.0.1")
                .env("KINDLING_AUTH_TOKEN", PASSWORD).start()) {
            String listening = app.awaitLine("sparkpi listening on http://", Duration.ofMinutes(2)).group();
            assertThat(app.lines()).filteredOn(l -> l.contains(listening)).singleElement()
                    .satisfies(l -> assertThat(LAYOUT.matcher(l).find()).as(l).isTrue());
            app.terminate();
            app.awaitExit(Duration.ofMinutes(1));
            String out = app.output();
            assertThat(out).doesNotContain(PASSWORD);
            assertThat(LOG_SETUP_ERRORS).noneMatch(out::contains);
            // levels: Kindling's INFO lines, but no INFO line of Spark's or of the relocated Jetty
            assertThat(app.lines()).filteredOn(l -> LAYOUT.matcher(l).find() && l.contains(" INFO  "))
                    .isNotEmpty()
                    .noneMatch(l -> l.contains(" SparkContext: ") || l.contains(" Executor: ") || l.contains(" Server: "));
        }
    }

    /** The image's CMD, with the module's target/ in place of /opt/kindling and Spark's class path in place of /opt/spark/jars. */
    private static ForkedJvm.Builder imageCommand() {
        return ForkedJvm.builder(SparkPiApp.class)
                .jvmOptions("@" + OPTIONS.toAbsolutePath(), "-Dlog4j2.configurationFile=" + LOG_CONFIG.toAbsolutePath())
                .classPath(AppJar.of("kindling-example-sparkpi").sparkClassPath())
                .env("PORT", "0");
    }
}
