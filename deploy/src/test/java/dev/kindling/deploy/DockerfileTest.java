package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.service.ServiceSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

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
 *   <li>the images' shared files copied from {@code target/image/} to {@code /opt/kindling/}: {@code jvm.options} and
 *       {@code log4j2.properties}, which the module's build writes there from {@code image/} at the project root;</li>
 *   <li>a non-root user, by number; an exec-form {@code ENTRYPOINT} and {@code CMD} that runs the service's
 *       real main class under tini, with its JVM options from {@code @/opt/kindling/jvm.options};</li>
 *   <li>a {@code HEALTHCHECK} on {@code /healthz} at the {@code PORT} setting for an HTTP service (with wget,
 *       which the base image installs; it has no curl), {@code HEALTHCHECK NONE} for a batch job;</li>
 *   <li>configuration through the environment only: no {@code ENV} at all;</li>
 *   <li>the shared {@code image/jvm.options}: the root pom's {@code spark.jvm.opens}, the heap and OutOfMemoryError
 *       options, and the log configuration {@code /opt/kindling/log4j2.properties}; the shared
 *       {@code image/log4j2.properties}: every appender's layout passes the message through {@code %redacted};</li>
 *   <li>the archetype's Dockerfile, which is its generated project's own, by the same rules with its
 *       {@code config/jvm.options} and {@code config/log4j2.properties}.</li>
 * </ul>
 *
 * <pre>{@code
 * mvn -B -o -pl deploy test -Dtest=DockerfileTest
 * }</pre>
 */
class DockerfileTest {
    static final String BASE = "apache/spark:4.2.0-scala2.13-java17-ubuntu";
    static final int SPARK_UID = 185;
    /** Where an image keeps the app jar, its JVM options and its log configuration. */
    static final String HOME = "/opt/kindling/";
    static final String JVM_OPTIONS = HOME + "jvm.options";
    static final String LOG_CONFIG = HOME + "log4j2.properties";
    /** The shared files, as the build of every service module writes them (the root pom's image-files execution). */
    static final String IMAGE_FILES_COPY = "target/image/jvm.options target/image/log4j2.properties " + HOME;
    static final String ARCHETYPE = "archetype/src/main/resources/archetype-resources";

    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void buildsOnThePinnedSparkImageFromTheTestedJar(DeployedService service) {
        Dockerfile f = Dockerfile.read(service.dir().resolve("Dockerfile"));
        assertThat(f.all("FROM")).containsExactly(BASE);
        assertThat(f.all("COPY")).containsExactly("target/*-app.jar /opt/kindling/app.jar", IMAGE_FILES_COPY);
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
        assertThat(cmd).containsExactly("/usr/bin/tini", "--", "java", "@" + JVM_OPTIONS, "-cp", "/opt/kindling/app.jar:/opt/spark/jars/*",
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
        assertThat(f.all("ENV")).as("settings are given when the container starts; JVM options are in " + JVM_OPTIONS).isEmpty();
    }

    /**
     * The module's build writes target/image/ from image/ at the project root: it (or its parent) binds the root pom's
     * image-files execution (bound to no phase there) to prepare-package and sets kindling.image.dir to that folder.
     */
    @ParameterizedTest
    @MethodSource("services")
    void itsBuildWritesTheSharedImageFiles(DeployedService service) {
        Path pom = service.dir().resolve("pom.xml");
        Element project = xml(pom);
        Element parent = xml(service.dir().resolve(text(child(project, "parent"), "relativePath")));
        assertThat(imageFilesPhase(project) != null ? imageFilesPhase(project) : imageFilesPhase(parent))
                .as("the phase of the image-files execution in " + pom + " or its parent").isEqualTo("prepare-package");
        String dir = property(project, "kindling.image.dir") != null ? property(project, "kindling.image.dir")
                : property(parent, "kindling.image.dir");
        assertThat(dir).as("kindling.image.dir of " + pom).isNotNull().startsWith("${project.basedir}/");
        assertThat(Path.of(dir.replace("${project.basedir}", service.dir().toString())).normalize())
                .isEqualTo(DeployedService.projectRoot().resolve("image"));
    }

    /** The root pom's image-files execution: jvm.options filtered (spark.jvm.opens filled in), both files into target/image/. */
    @Test
    void theRootPomWritesTheImageFilesIntoTarget() {
        Element root = xml(DeployedService.projectRoot().resolve("pom.xml"));
        NodeList ids = root.getElementsByTagName("id");
        Element execution = null;
        for (int i = 0; i < ids.getLength(); i++) {
            if (ids.item(i).getTextContent().strip().equals("image-files")) {
                execution = (Element) ids.item(i).getParentNode();
            }
        }
        assertThat(execution).as("the image-files execution of the root pom").isNotNull();
        assertThat(text(execution, "phase")).as("bound only where an image is built").isEqualTo("none");
        assertThat(text((Element) execution.getParentNode().getParentNode(), "artifactId")).isEqualTo("maven-resources-plugin");
        Element configuration = child(execution, "configuration");
        assertThat(text(configuration, "outputDirectory")).isEqualTo("${project.build.directory}/image");
        NodeList resources = configuration.getElementsByTagName("resource");
        Map<String, String> filtering = new TreeMap<>();
        for (int i = 0; i < resources.getLength(); i++) {
            Element r = (Element) resources.item(i);
            assertThat(text(r, "directory")).isEqualTo("${kindling.image.dir}");
            filtering.put(text(child(r, "includes"), "include"), text(r, "filtering"));
        }
        assertThat(filtering).containsExactly(Map.entry("jvm.options", "true"), Map.entry("log4j2.properties", "false"));
    }

    @Test
    void theSharedJvmOptionsCarrySparksOptionsTheHeapAndTheRedactedLogConfiguration() {
        Path options = DeployedService.projectRoot().resolve("image/jvm.options");
        assertThat(argFile(options)).containsExactly("${spark.jvm.opens}", "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError",
                "-Dlog4j2.configurationFile=" + LOG_CONFIG);
        assertThat(System.getProperty("kindling.spark.jvm.opens")).as("the root pom's spark.jvm.opens, passed by surefire").isNotBlank();
        assertRedacted(DeployedService.projectRoot().resolve("image/log4j2.properties"));
    }

    @Test
    void theArchetypesImageHasTheSameJvmOptionsAndLogSetup() {
        Path dir = DeployedService.projectRoot().resolve(ARCHETYPE);
        Dockerfile f = Dockerfile.read(dir.resolve("Dockerfile"));
        assertThat(f.all("FROM")).containsExactly(BASE);
        assertThat(f.all("COPY")).containsExactly("target/*-app.jar /opt/kindling/app.jar",
                "config/jvm.options config/log4j2.properties " + HOME);
        assertThat(f.all("ENV")).isEmpty();
        assertThat(f.last("USER")).isEqualTo(Integer.toString(SPARK_UID));
        assertThat(f.execForm("ENTRYPOINT")).containsExactly("/opt/entrypoint.sh");
        assertThat(f.execForm("CMD")).containsExactly("/usr/bin/tini", "--", "java", "@" + JVM_OPTIONS, "-cp",
                "/opt/kindling/app.jar:/opt/spark/jars/*", "${package}.App");
        List<String> opens = Arrays.asList(System.getProperty("kindling.spark.jvm.opens").strip().split("\\s+"));
        List<String> options = argFile(dir.resolve("config/jvm.options"));
        assertThat(options.subList(0, opens.size())).as("the archetype's spark.jvm.opens, as the root pom's").isEqualTo(opens);
        assertThat(options.subList(opens.size(), options.size())).containsExactly("-XX:MaxRAMPercentage=75.0",
                "-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.configurationFile=" + LOG_CONFIG);
        assertRedacted(dir.resolve("config/log4j2.properties"));
    }

    /** The arguments of a java {@code @argfile}: words outside comments ({@code #} to the end of the line). */
    static List<String> argFile(Path file) {
        try {
            return Files.readAllLines(file).stream().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty())
                    .flatMap(l -> Arrays.stream(l.split("\\s+"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A log4j2 properties file whose every pattern layout prints the message (and stack trace) through %redacted only. */
    static void assertRedacted(Path file) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> appenders = p.stringPropertyNames().stream().filter(k -> k.matches("appender\\.[^.]+\\.type")).sorted().toList();
        assertThat(appenders).as("appenders of " + file).isNotEmpty();
        for (String type : appenders) {
            String prefix = type.substring(0, type.length() - "type".length());
            assertThat(p.getProperty(type)).as(type).isEqualTo("Console");
            assertThat(p.getProperty(prefix + "layout.type")).as(prefix + "layout.type").isEqualTo("PatternLayout");
            String pattern = p.getProperty(prefix + "layout.pattern");
            assertThat(pattern).as(prefix + "layout.pattern of " + file).contains("%redacted")
                    .doesNotContainPattern("%(m|msg|message|ex|exception|throwable|xEx|rEx|enc|replace)\\b");
        }
        assertThat(p.getProperty("rootLogger.level")).as("rootLogger.level of " + file).isEqualTo("warn");
        assertThat(p.getProperty("logger.kindling.name")).isEqualTo("dev.kindling");
        assertThat(p.getProperty("logger.kindling.level")).isEqualTo("info");
    }

    private static Element xml(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document d = factory.newDocumentBuilder().parse(file.toFile());
            return d.getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("cannot parse " + file, e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = parent == null ? null : child(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }

    private static String property(Element project, String name) {
        return text(child(project, "properties"), name);
    }

    /** The phase of the image-files execution of maven-resources-plugin in build/plugins (not pluginManagement), or null. */
    private static String imageFilesPhase(Element project) {
        Element build = child(project, "build");
        Element plugins = build == null ? null : child(build, "plugins");
        for (Node n = plugins == null ? null : plugins.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element plugin && "maven-resources-plugin".equals(text(plugin, "artifactId"))
                    && child(plugin, "executions") != null) {
                for (Node e = child(plugin, "executions").getFirstChild(); e != null; e = e.getNextSibling()) {
                    if (e instanceof Element execution && "image-files".equals(text(execution, "id"))) {
                        return text(execution, "phase");
                    }
                }
            }
        }
        return null;
    }
}
