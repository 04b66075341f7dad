package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingSparkTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on the testkit's shared SparkSession: two files, three cycles asked for over HTTP, exact output. */
@KindlingSparkTest
class ConversionTest {
    @TempDir
    Path dir;

    @Test
    void eachCycleConvertsTheNewFilesOnce(SparkSession spark) throws Exception {
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.continuous.start-paused", "true",
                "app.landing", dir.resolve("landing").toString(), "app.output", dir.resolve("orders").toString(),
                "app.checkpoint", dir.resolve("checkpoint").toString()));
        Files.createDirectories(dir.resolve("landing"));
        Files.writeString(dir.resolve("landing/a.json"), """
                {"id": 1, "customer": "Ada", "amount": 12.5}
                {"id": 2, "customer": "Brian", "amount": -1.0}
                """);
        KindlingService service = App.service(settings).spark(spark).start();
        try {
            JsonNode first = cycle(service.port());
            assertThat(List.of(first.get("outcome").asText(), first.get("rowsRead").asLong())).containsExactly("PUBLISHED", 1L);
            assertThat(cycle(service.port()).get("outcome").asText()).isEqualTo("IDLE");

            Files.writeString(dir.resolve("landing/b.json"), "{\"id\": 3, \"customer\": \"Chen\", \"amount\": 7.25}\n");
            JsonNode second = cycle(service.port());
            assertThat(List.of(second.get("outcome").asText(), second.get("rowsRead").asLong())).containsExactly("PUBLISHED", 1L);
        } finally {
            service.shutdown();
        }
        assertThat(spark.read().parquet(dir.resolve("orders").toString()).orderBy("id").collectAsList())
                .extracting((Row r) -> r.getAs("id") + "|" + r.getAs("customer") + "|" + r.getAs("amount"))
                .containsExactly("1|ada|12.5", "3|chen|7.25");
    }

    /** Runs a cycle now over HTTP and answers its report (a first cycle on a busy machine may take a minute or more). */
    private static JsonNode cycle(int port) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cycles?wait=5m"))
                .timeout(Duration.ofMinutes(6)).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
