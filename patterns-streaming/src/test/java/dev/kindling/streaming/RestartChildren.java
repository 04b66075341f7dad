package dev.kindling.streaming;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link RestartChild} in a JVM of its own, its output in {@code DIR/child-RUN.log}, and reads the port it serves on. */
final class RestartChildren {
    private RestartChildren() {
    }

    /** @param args the child's arguments (see {@link RestartChild}) */
    static Process launch(Path dir, int run, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(RestartChild.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(dir, run).toFile()).start();
    }

    static Path log(Path dir, int run) {
        return dir.resolve("child-" + run + ".log");
    }

    /** Waits for the child to write its port file, and fails early (with its log) when it exits first. */
    static int awaitPort(Process child, Path portFile, Path log, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.isAlive()) {
                throw new AssertionError("the child JVM exited: " + Files.readString(log));
            }
            return Files.exists(portFile);
        });
        try {
            return Integer.parseInt(Files.readString(portFile).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
