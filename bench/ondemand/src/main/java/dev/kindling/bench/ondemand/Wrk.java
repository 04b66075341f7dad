package dev.kindling.bench.ondemand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk} (Debian's package) in its own process, sending {@code POST /jobs/sparkpi} (or another
 * request) with the script {@code load.lua}: closed loop, or open loop at a given rate (each connection
 * waits {@code connections * 1000 / rate} ms before each request).
 */
final class Wrk {
    private static final Pattern RESULT = Pattern.compile("RESULT requests=(\\d+) seconds=([\\d.]+) p50_ms=([\\d.]+) p90_ms=([\\d.]+) "
            + "p99_ms=([\\d.]+) max_ms=([\\d.]+) accepted=(\\d+) refused=(\\d+) other=(\\d+) errors=(\\d+)");

    private final Path script;

    /** What each request is: {@code POST /jobs/sparkpi} with a body, or a GET of a path. */
    record Request(String method, String path, String body) {
        static Request postJob(String body) {
            return new Request("POST", "/jobs/sparkpi", body);
        }

        static Request get(String path) {
            return new Request("GET", path, null);
        }
    }

    /** One run's figures: requests answered per second, latency percentiles in ms, answers by status, socket errors. */
    record Run(double perSecond, double p50, double p90, double p99, double max, long accepted, long refused, long other, long errors) {
        String describe() {
            return String.format(Locale.ROOT, "%.0f requests/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms; 2xx: %d, 429: %d, "
                    + "other: %d, socket errors: %d", perSecond, p50, p90, p99, max, accepted, refused, other, errors);
        }
    }

    /** Copies the script into {@code work}. */
    Wrk(Path work) throws IOException {
        this.script = work.resolve("load.lua");
        try (InputStream in = Wrk.class.getResourceAsStream("/load.lua")) {
            Files.copy(in, script);
        }
    }

    /**
     * Loads {@code addresses} ({@code host:port}; wrk thread i sends to address i mod N) for {@code seconds}.
     *
     * @param ratePerSecond the open loop's rate over all connections, or 0 for a closed loop
     * @param out           where wrk's output is kept
     */
    Run run(List<String> addresses, int threads, int connections, int seconds, double ratePerSecond, Request request, Path out)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t", Integer.toString(threads), "-c", Integer.toString(connections),
                "-d", seconds + "s", "--timeout", "10s", "-s", script.toString(), "http://" + addresses.get(0) + request.path())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("SERVICES", String.join(",", addresses));
        pb.environment().put("METHOD", request.method());
        pb.environment().put("REQUEST_PATH", request.path());
        if (request.body() != null) {
            pb.environment().put("JOB_BODY", request.body());
        }
        if (ratePerSecond > 0) {
            pb.environment().put("DELAY_MS", String.format(Locale.ROOT, "%.3f", connections * 1000.0 / ratePerSecond));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is needed (Debian: apt-get install wrk): " + e.getMessage(), e);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + Files.readString(out, StandardCharsets.UTF_8));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Matcher m = RESULT.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no RESULT line in wrk's output: " + text);
        }
        double secs = Double.parseDouble(m.group(2));
        return new Run(Long.parseLong(m.group(1)) / secs, Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), Long.parseLong(m.group(7)), Long.parseLong(m.group(8)),
                Long.parseLong(m.group(9)), Long.parseLong(m.group(10)));
    }
}
