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

/** SIGTERM drains in-flight requests: a forked service finishes its slow request, refuses new ones, runs its shutdown actions. */
class GracefulShutdownIT {

    @Test
    void sigtermDrainsInFlightRequestsThenStops() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SlowServiceMain.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the child has exited
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.startsWith("PORT=")));
            int port = Integer.parseInt(lines.stream().filter(l -> l.startsWith("PORT=")).findFirst().orElseThrow().substring(5));
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("SLOW-STARTED"));

            // SIGTERM; through the handle, because Process.destroy() also closes our end of the child's output.
            child.toHandle().destroy();

            // While the slow request drains, new requests are refused with 503 (or the connection is closed).
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
                } catch (java.io.IOException e) {
                    return slow.isDone();
                }
            });
            HttpResponse<String> finished = slow.get(30, TimeUnit.SECONDS);
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("done");
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            assertThat(lines).as(String.join("\n", lines)).contains("ACTION-RAN");
            assertThat(lines.indexOf("ACTION-RAN")).isGreaterThan(lines.indexOf("SLOW-STARTED"));
        } finally {
            child.destroyForcibly();
        }
    }
}
