package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM to a forked service: it drains, stops its component, closes its resource; a stop that hangs cannot hold it. */
class GracefulShutdownIT {

    private static final class Child implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;

        Child(String... args) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(System.getProperty("kindling.spark.jvm.opens", "").split(" ")));
            command.removeIf(String::isBlank);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SlowServiceMain.class.getName());
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the child has exited
                }
            });
            reader.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> lines.stream().anyMatch(l -> l.startsWith("PORT=")));
        }

        int port() {
            return Integer.parseInt(lines.stream().filter(l -> l.startsWith("PORT=")).findFirst().orElseThrow().substring(5));
        }

        /** SIGTERM, through the handle: Process.destroy() would also close our end of the child's output. */
        void term() {
            process.toHandle().destroy();
        }

        String log() {
            return String.join("\n", lines);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void sigtermDrainsInFlightRequestsThenStopsComponentsThenClosesResources() throws Exception {
        try (Child child = new Child()) {
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port() + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> child.lines.contains("SLOW-STARTED"));
            child.term();
            // While the slow request drains, new requests are refused with 503 (or the connection is closed).
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port() + "/readyz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
                } catch (java.io.IOException e) {
                    return slow.isDone();
                }
            });
            HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("done");
            assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            child.reader.join(10_000);
            assertThat(child.lines).as(child.log()).contains("RESOURCE-CLOSED");
            assertThat(child.lines.indexOf("RESOURCE-CLOSED")).isGreaterThan(child.lines.indexOf("SLOW-STARTED"));
            assertThat(child.log()).contains("slow shut down").doesNotContain("overrun");
        }
    }

    @Test
    void aStopThatHangsCannotHoldTheProcessPastItsDeadline() throws Exception {
        try (Child child = new Child("hang")) {
            child.term();
            assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as("the process exits although a stop hangs").isTrue();
            child.reader.join(10_000);
            assertThat(child.process.exitValue()).isEqualTo(1);
            assertThat(child.log()).contains("shutdown: component worker is still running at the deadline (PT2S); abandoning it")
                    .contains("RESOURCE-CLOSED")
                    .contains("slow: exiting although component worker did not stop by the deadline");
        }
    }
}
