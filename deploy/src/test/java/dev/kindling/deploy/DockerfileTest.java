package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.service.ServiceSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of the project's images, checked on every Dockerfile. No Dockerfile linter runs here:
 * Debian has no hadolint, and npm's {@code dockerfile-utils} would have to be installed on every machine
 * that builds (the build downloads nothing at test time), so this test parses each file
 * ({@link Dockerfile}) and checks:
 *
 * <ul>
 *   <li>one stage, on the official {@code apache/spark} image for Spark 4.2.0, Scala 2.13 and Java 17, by a pinned tag;</li>
 *   <li>the app jar copied from {@code target/} (built and tested by Maven first) to {@code /opt/kindling/app.jar};
 *       no {@code ADD}, no {@code RUN};</li>
 *   <li>a non-root user, by number; an exec-form {@code ENTRYPOINT} and {@code CMD} that runs the service's
 *       real main class under tini;</li>
 *   <li>a {@code HEALTHCHECK} on {@code /healthz} at the {@code PORT} setting for an HTTP service (with wget,
 *       which the base image installs; it has no curl), {@code HEALTHCHECK NONE} for a batch job;</li>
 *   <li>configuration through the environment only: no {@code ENV} but the JVM's options, which carry the
 *       root pom's {@code spark.jvm.opens}.</li>
 * </ul>
 */
class DockerfileTest {
    static final String BASE = "apache/spark:4.2.0-scala2.13-java17-ubuntu";
    static final int SPARK_UID = 185;

    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void buildsOnThePinnedSparkImageFromTheTestedJar(DeployedService service) {
        Dockerfile f = Dockerfile.read(service.dir().resolve("Dockerfile"));
        assertThat(f.all("FROM")).containsExactly(BASE);
        assertThat(f.all("COPY")).containsExactly("target/*-app.jar /opt/kindling/app.jar");
        assertThat(f.all("ADD")).isEmpty();
        assertThat(f.all("RUN")).as("nothing installed or built in the image").isEmpty();
        assertThat(f.all("ARG")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("services")
    void runsTheMainClassAsANonRootUserInExecForm(DeployedService service) throws Exception {
        Dockerfile f = Dockerfile.read(service.dir().resolve("Dockerfile"));
        assertThat(f.last("USER")).isEqualTo(Integer.toString(SPARK_UID));
        assertThat(f.execForm("ENTRYPOINT")).containsExactly("/opt/entrypoint.sh");
        List<String> cmd = f.execForm("CMD");
        assertThat(cmd).containsExactly("/usr/bin/tini", "--", "java", "-cp", "/opt/kindling/app.jar:/opt/spark/jars/*",
                service.mainClass());
        Class.forName(service.mainClass(), false, getClass().getClassLoader()).getMethod("main", String[].class);
    }

    @ParameterizedTest
    @MethodSource("services")
    void checksHealthOnHealthzAtThePortSetting(DeployedService service) {
        Dockerfile f = Dockerfile.read(service.dir().resolve("Dockerfile"));
        String health = f.last("HEALTHCHECK");
        if (!service.http()) {
            assertThat(health).isEqualTo("NONE");
            assertThat(f.all("EXPOSE")).containsExactly("7078 7079");
            return;
        }
        assertThat(health).startsWith("--interval=").contains(" CMD [");
        List<String> check = f.execForm(health.substring(health.indexOf("CMD [") + 4), "HEALTHCHECK CMD");
        int port = ServiceSettings.PORT.defaultValue();
        assertThat(check).containsExactly("/bin/sh", "-c",
                "wget -q -O /dev/null \"http://127.0.0.1:${" + ServiceSettings.PORT.env() + ":-" + port + "}/healthz\" || exit 1");
        assertThat(f.all("EXPOSE")).containsExactly(port + " 7078 7079");
    }

    @ParameterizedTest
    @MethodSource("services")
    void takesItsConfigurationFromTheEnvironmentOnly(DeployedService service) {
        Dockerfile f = Dockerfile.read(service.dir().resolve("Dockerfile"));
        assertThat(f.all("ENV")).singleElement().satisfies(env -> {
            assertThat(env).startsWith("JDK_JAVA_OPTIONS=\"").endsWith("\"");
            List<String> options = Arrays.asList(env.substring(env.indexOf('"') + 1, env.length() - 1).split(" "));
            String opens = System.getProperty("kindling.spark.jvm.opens");
            assertThat(opens).as("the root pom's spark.jvm.opens, passed by surefire").isNotBlank();
            assertThat(options).containsAll(Arrays.asList(opens.trim().split("\\s+")));
            assertThat(options).allMatch(o -> o.startsWith("--add-opens=") || o.startsWith("-D") || o.startsWith("-XX:"));
            assertThat(options).noneMatch(o -> o.startsWith("-Dkindling.") || o.startsWith("-Dspark."));
        });
        Map<String, ?> settings = service.settingsByEnvironmentVariable();
        assertThat(f.all("ENV")).noneMatch(e -> settings.containsKey(e.substring(0, e.indexOf('='))));
    }
}
