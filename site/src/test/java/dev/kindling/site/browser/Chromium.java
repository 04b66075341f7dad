package dev.kindling.site.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol (a WebSocket from the JDK's HTTP client; no
 * Node, no driver): one page, navigated, measured with a script, and captured as PNG.
 *
 * <pre>{@code
 * try (Chromium chrome = Chromium.start(Path.of("target/chromium-profile"))) {
 *     Chromium.Visit visit = chrome.visit(Path.of("target/site/index.html"), 1280, 900, Path.of("target/screenshots/index.png"));
 *     visit.errors();   // console errors, exceptions and failed loads
 * }
 * }</pre>
 */
final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a visit found: the page's measurements (from {@link #MEASURE}) and every error the page reported. */
    record Visit(JsonNode measures, List<String> errors) {
    }

    /** Measured in the page after its load event: widths, images that did not load, the title. */
    static final String MEASURE = "JSON.stringify({title: document.title,"
            + " scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,"
            + " brokenImages: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src')),"
            + " images: document.images.length})";

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    private Chromium(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The chromium executable on the PATH ({@code chromium}, {@code chromium-browser}) or in {@code CHROMIUM}. */
    static Optional<Path> executable() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts headless Chromium with a profile in {@code profile}, waiting for its DevTools endpoint. */
    static Chromium start(Path executable, Path profile) throws IOException {
        Files.createDirectories(profile);
        Process p = new ProcessBuilder(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile.toAbsolutePath(), "about:blank")
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(URI.create(m.group(1)).getPort());
                    }
                }
                port.completeExceptionally(new IllegalStateException("chromium exited: " + String.join("\n", output)));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Chromium(p, port.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not open its DevTools endpoint: " + String.join("\n", output), e);
        }
    }

    /** Opens {@code page} in a new tab of {@code width} x {@code height} CSS pixels, saves a full-page PNG, and closes the tab. */
    Visit visit(Path page, int width, int height, Path png) throws Exception {
        JsonNode target = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/new?about:blank"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body());
        List<String> errors = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        try (Session s = new Session(target.path("webSocketDebuggerUrl").asText(), event -> {
            String method = event.path("method").asText();
            JsonNode params = event.path("params");
            switch (method) {
                case "Page.loadEventFired" -> loaded.complete(null);
                case "Runtime.consoleAPICalled" -> {
                    if (params.path("type").asText().equals("error")) {
                        errors.add("console.error: " + params.path("args").toString());
                    }
                }
                case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails").toString());
                case "Log.entryAdded" -> {
                    if (params.path("entry").path("level").asText().equals("error")) {
                        errors.add("log: " + params.path("entry").path("text").asText() + " " + params.path("entry").path("url").asText());
                    }
                }
                case "Network.loadingFailed" -> errors.add("failed to load: " + params.toString());
                default -> { }
            }
        })) {
            for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
                s.call(domain + ".enable", Map.of());
            }
            s.call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            s.call("Page.navigate", Map.of("url", page.toAbsolutePath().toUri().toString()));
            loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            JsonNode result = s.call("Runtime.evaluate", Map.of("expression", MEASURE, "returnByValue", true));
            JsonNode measures = JSON.readTree(result.path("result").path("value").asText("{}"));
            JsonNode shot = s.call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
            Files.createDirectories(png.getParent());
            Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/close/" + target.path("id").asText())).build(),
                    HttpResponse.BodyHandlers.discarding());
            return new Visit(measures, List.copyOf(errors));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** One DevTools WebSocket: numbered calls answered by id, events to a listener. */
    private static final class Session implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final Consumer<JsonNode> events;
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        Session(String url, Consumer<JsonNode> events) {
            this.events = events;
            this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), this).join();
        }

        JsonNode call(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
            message.set("params", JSON.valueToTree(params));
            socket.sendText(JSON.writeValueAsString(message), true).join();
            JsonNode r = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new IllegalStateException(method + ": " + r.get("error"));
            }
            return r.path("result");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                        if (f != null) {
                            f.complete(message);
                        }
                    } else {
                        events.accept(message);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }
}
