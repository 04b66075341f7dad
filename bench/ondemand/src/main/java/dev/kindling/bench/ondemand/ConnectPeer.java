package dev.kindling.bench.ondemand;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Spark Connect client of {@link QueryBench} in its own JVM ({@code bench/connect-client}): one
 * {@code run} line on its stdin runs the query once and answers the call's time as the client saw it
 * and the count. {@link #close()} ends the client and waits for it.
 *
 * <pre>{@code
 * try (ConnectPeer peer = ConnectPeer.start(classpath, 15002, "SELECT count(*) FROM range(10)")) {
 *     double ms = peer.run(10);
 * }
 * }</pre>
 */
final class ConnectPeer implements AutoCloseable {
    private final Process process;
    private final PrintStream commands;
    private final BufferedReader answers;
    private final File log;

    private ConnectPeer(Process process, File log) {
        this.process = process;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.log = log;
    }

    /** A free port of 127.0.0.1 for the Spark Connect server. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the client on {@code classpath} (its dependencies; its classes are added) against {@code sc://127.0.0.1:port}. */
    static ConnectPeer start(String classpath, int port, String query) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        String classes = Path.of("..", "connect-client", "target", "classes").toAbsolutePath().normalize().toString();
        cmd.addAll(List.of("-cp", classes + File.pathSeparator + classpath, "dev.kindling.bench.connect.ConnectClient",
                "sc://127.0.0.1:" + port, query));
        File log = File.createTempFile("kindling-bench-connect-client-", ".log");
        ConnectPeer peer = new ConnectPeer(new ProcessBuilder(cmd).redirectError(log).start(), log);
        String first = peer.answers.readLine();
        if (!"ready".equals(first)) {
            peer.close();
            throw new IllegalStateException("the Spark Connect client did not start (" + first + "); its log: " + log);
        }
        return peer;
    }

    /** Runs the query once; returns the client's time in ms and checks its count. */
    double run(long expected) throws IOException {
        commands.println("run");
        String line = answers.readLine();
        String[] parts = line == null ? new String[0] : line.split(" ");
        if (parts.length != 2 || !parts[1].equals(String.valueOf(expected))) {
            throw new IllegalStateException("the Spark Connect client answered '" + line + "', expected a time and " + expected
                    + "; its log: " + log);
        }
        return Double.parseDouble(parts[0]);
    }

    @Override
    public void close() {
        commands.println("quit");
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
