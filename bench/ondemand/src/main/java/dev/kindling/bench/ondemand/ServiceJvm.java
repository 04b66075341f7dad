package dev.kindling.bench.ondemand;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sparkpi service ({@code SparkPiApp}) in a JVM of its own, on a free port of 127.0.0.1, started as a user starts it. */
final class ServiceJvm implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final String address;

    private ServiceJvm(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /** Starts the service with {@code properties} as system properties ({@code spark.master}, {@code kindling.*}); its output goes to {@code log}. */
    static ServiceJvm start(Map<String, String> properties, Path log) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dspark.ui.enabled=false",
                "-Dkindling.http.host=127.0.0.1", "-Dkindling.http.port=" + port));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("dev.kindling.examples.sparkpi.SparkPiApp");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceJvm(p, "127.0.0.1:" + port);
    }

    /** {@code 127.0.0.1:port}. */
    String address() {
        return address;
    }

    /** Polls {@code /readyz} every 20 ms, as a probe would, until it answers 200. */
    ServiceJvm awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI readyz = URI.create("http://" + address + "/readyz");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service at " + address + " ended with " + process.exitValue() + " before it was ready");
            }
            try {
                if (CLIENT.send(HttpRequest.newBuilder(readyz).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting: nothing listens yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(address + " was not ready within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
