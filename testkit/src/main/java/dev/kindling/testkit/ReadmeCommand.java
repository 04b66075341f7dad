package dev.kindling.testkit;

import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A command of a module's README, as the reader types it: the fenced {@code shell} block right after the
 * line {@code <!-- MARKER -->}. Run from the project root with bash, where {@code spark-submit} is the real
 * {@code org.apache.spark.deploy.SparkSubmit} on the test cluster's Spark home and {@code SPARK_MASTER} its master.
 *
 * <pre>{@code
 * Process p = ReadmeCommand.of("standalone").process(cluster, tmp).start();
 * }</pre>
 */
public final class ReadmeCommand {
    private final String text;

    private ReadmeCommand(String text) {
        this.text = text;
    }

    /** The block after {@code <!-- marker -->} in {@code README.md}; fails naming the marker when there is none. */
    public static ReadmeCommand of(String marker) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int at = lines.indexOf("<!-- " + marker + " -->");
        if (at < 0 || at + 1 >= lines.size() || !lines.get(at + 1).equals("```shell")) {
            throw new AssertionError("README.md has no ```shell block right after <!-- " + marker + " -->");
        }
        StringBuilder b = new StringBuilder();
        for (int i = at + 2; i < lines.size() && !lines.get(i).equals("```"); i++) {
            b.append(lines.get(i)).append('\n');
        }
        return new ReadmeCommand(b.toString().strip());
    }

    public String text() {
        return text;
    }

    /** The command under bash, in the project root, with {@code spark-submit} on the PATH (a script written to {@code dir}). */
    public ProcessBuilder process(SparkStandaloneCluster cluster, Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve("spark-submit");
        Files.writeString(script, "#!/usr/bin/env bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' "
                + System.getProperty("kindling.spark.jvm.opens", "") + " -cp \"$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder b = new ProcessBuilder("bash", "-c", "set -euo pipefail\nexec " + text)
                .directory(projectRoot().toFile()).redirectErrorStream(true);
        b.environment().keySet().removeIf(k -> k.startsWith("KINDLING_") || k.startsWith("SPARK_") || k.equals("PORT"));
        b.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        b.environment().put("SPARK_MASTER", cluster.masterUrl());
        b.environment().put("SPARK_HOME", cluster.sparkHome().toString());
        b.environment().put("SPARK_SCALA_VERSION", "2.13");
        b.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return b;
    }

    /** The project's root: the nearest directory above the module (the working directory) with {@code bin/run-example}. */
    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/run-example"))) {
                return p;
            }
        }
        throw new IllegalStateException("no project root (a directory with bin/run-example) above " + Path.of("").toAbsolutePath());
    }
}
