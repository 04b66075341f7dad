package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.service.Json;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration-only on-demand service: {@code dev.kindling.service.Main} in its own JVM, set up by environment and system properties. */
class OnDemandProviderIT {

    private static ForkedJvm main(Map<String, String> env, String... systemProperties) {
        return ForkedJvm.builder("dev.kindling.service.Main").spark().jvmOptions(systemProperties).env(env).start();
    }

    @Test
    void servesSqlOverAJsonFileFromSettingsAlone(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("sales");
        Files.createDirectories(data);
        Files.writeString(data.resolve("part-0.json"), """
                {"region": "north", "amount": 5}
                {"region": "south", "amount": 7}
                {"region": "north", "amount": 1}
                """);
        try (ForkedJvm p = main(Map.of("KINDLING_PATTERN", "ondemand",
                        "KINDLING_ONDEMAND_JOB_NAME", "sales",
                        "KINDLING_ONDEMAND_JOB_SOURCE", "file:" + data + "?format=json",
                        "KINDLING_ONDEMAND_JOB_SQL", "SELECT region, sum(amount) AS total FROM input GROUP BY region ORDER BY region",
                        "PORT", "0"),
                "-Dkindling.http.host=127.0.0.1", "-Dkindling.ondemand.job.limit=1", "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1",
                "-Dkindling.shutdown.grace=5s")) {
            JsonHttp http = new JsonHttp(Integer.parseInt(p.awaitLine("listening on http://[^:]+:(\\d+)", Duration.ofMinutes(2))
                    .group(1)), null);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> http.get("/readyz").status() == 200);
            JsonHttp.Response r = http.post("/jobs/sales?wait=60s", "");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("result")).isEqualTo(Json.mapper().readTree("{\"rows\":[{\"region\":\"north\",\"total\":6}],\"truncated\":true}"));
            assertThat(http.get("/sales").json()).isEqualTo(Json.mapper().readTree("{\"rows\":[{\"region\":\"north\",\"total\":6}],\"truncated\":true}"));
            assertThat(http.get("/status").json().get("components").get("sales").get("pattern").asText()).isEqualTo("ondemand");
            p.terminate(); // SIGTERM: the service shuts down by its deadline
            p.awaitExit(Duration.ofSeconds(60));
            assertThat(p.lines()).anyMatch(l -> l.endsWith("ondemand shut down"));
        }
    }

    @Test
    void missingSettingsExitTwoWithOneLineNamingEveryOne() {
        ForkedJvm p = main(Map.of("KINDLING_PATTERN", "ondemand"));
        assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isEqualTo(2);
        List<String> errors = p.lines().stream()
                .filter(l -> l.contains("configuration error")).map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        assertThat(errors).containsExactly("ERROR Main: configuration error: required settings are missing: "
                + "kindling.ondemand.job.source (environment KINDLING_ONDEMAND_JOB_SOURCE), "
                + "kindling.ondemand.job.sql (environment KINDLING_ONDEMAND_JOB_SQL)");
    }
}
