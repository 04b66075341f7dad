package dev.kindling.tutorials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One page's commands, run in page order with bash from the project root; closing it stops every process they left
 * running. Each run block is one {@code bash} in a session of its own ({@code setsid}), so what it starts in the
 * background ({@code cmd &}) stays in that session's process group, and {@link #close()} ends the group: TERM, then
 * KILL after 20 s.
 *
 * <pre>{@code
 * try (PageRun run = new PageRun(root, logs)) {
 *     String out = run.run(block);          // throws AssertionError when it fails or times out
 * }                                         // every service the page started is stopped here
 * }</pre>
 *
 * <p>The ports a page names, {@code :8080} to {@code :8089} (and {@code PORT=808N}), become free ports chosen for
 * this run, so a page can run while something else serves 8080; {@code PORT} is set to the first one.
 * A block waits at most its {@code timeout} attribute in seconds (default 300).
 */
public final class PageRun implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("(?<=[:=])(808\\d)\\b");

    private final Path root;
    private final Path logs;
    private final Map<String, String> ports = new LinkedHashMap<>();
    private final List<Long> groups = new ArrayList<>();

    /**
     * @param root the folder the commands run in
     * @param logs the folder each block's output goes to ({@code LINE.out})
     */
    public PageRun(Path root, Path logs) throws IOException {
        this.root = root;
        this.logs = Files.createDirectories(logs);
        port("8080");
    }

    /** {@code text} with the page's ports replaced by this run's. */
    public String withPorts(String text) {
        Matcher m = PORT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, port(m.group(1)));
        }
        return m.appendTail(out).toString();
    }

    /** Runs {@code block} and answers its output (stdout and stderr); fails when it exits non-zero or times out. */
    public String run(AdocBlocks.Block block) throws IOException, InterruptedException {
        Path out = logs.resolve(block.line() + ".out");
        ProcessBuilder pb = new ProcessBuilder("setsid", "bash", "-c", "set -eo pipefail\n" + withPorts(block.content()))
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("PORT", ports.get("8080"));
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        groups.add(p.pid());
        long timeout = Long.parseLong(block.attributes().getOrDefault("timeout", "300"));
        boolean done = p.waitFor(timeout, TimeUnit.SECONDS);
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (!done) {
            stop(p.pid());
            throw new AssertionError(block.where() + ": did not finish in " + timeout + " s; output:\n" + tail(output));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(block.where() + ": exited " + p.exitValue() + "; output:\n" + tail(output));
        }
        return output;
    }

    /** Stops what every block left running, even when a block failed. */
    @Override
    public void close() {
        for (long group : groups) {
            stop(group);
        }
    }

    private String port(String pagePort) {
        return ports.computeIfAbsent(pagePort, k -> {
            try (ServerSocket s = new ServerSocket(0)) {
                return Integer.toString(s.getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void stop(long group) {
        if (!signal(group, "-TERM")) {
            return; // nothing left in it
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> !signal(group, "-0"));
        } catch (ConditionTimeoutException e) {
            signal(group, "-KILL");
        }
    }

    private static boolean signal(long group, String signal) {
        try {
            return new ProcessBuilder("kill", signal, "--", "-" + group).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** The first line of a block, for the report. */
    static String firstLine(AdocBlocks.Block block) {
        return block.content().lines().findFirst().orElse("");
    }
}
