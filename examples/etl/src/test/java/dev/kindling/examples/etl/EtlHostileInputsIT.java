package dev.kindling.examples.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders ETL, with a token, against the hostile-input battery over real HTTP. Its inputs are the
 * actions {@code /cycles?wait=}, {@code /resume} and {@code /pause} (POSTs without a body: the
 * {@code wait} parameter of the wrong type, {@code NaN}, overflowing, with a NUL byte; JSON bodies of
 * every shape, an array among them; a 20 MB body; a wrong content type) and the GETs {@code /status}
 * and {@code /metrics}, each with the token cases. It has no event stream, so the battery opens none.
 * Only 4xx or 429 answers; afterwards a new file still becomes one cycle's Parquet.
 */
@KindlingSparkTest
class EtlHostileInputsIT {
    private static final String TOKEN = "etl-hostile-t0ken";

    @TempDir
    Path tmp;

    @Test
    void everyHostileRequestGetsA4xxOr429AndANewFileIsConvertedAfterwards(SparkSession spark) throws Exception {
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path out = tmp.resolve("orders");
        Files.writeString(landing.resolve("a.csv"), EtlApp.SAMPLE);
        ContinuousRunner runner = OrdersEtl.builder(landing, out, tmp.resolve("quarantine"), tmp.resolve("checkpoint"))
                .interval(Duration.ofHours(1)).startPaused(true).build();
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.auth.token", TOKEN));
        try (KindlingService service = KindlingService.builder("orders-etl").settings(settings).spark(spark).component(runner).start()) {
            JsonHttp http = new JsonHttp(service.port(), TOKEN);
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/readyz").status() == 200);
            JsonNode first = requestedCycle(http);
            assertThat(List.of(first.get("outcome").asText(), first.get("rowsRead").asLong())).as(first.toString())
                    .containsExactly("PUBLISHED", 6L);

            List<String> violations = HostileInputs.against(service.port()).token(TOKEN)
                    .action("/cycles?wait=30s")
                    .action("/resume")
                    .action("/pause")
                    .get("/status")
                    .get("/metrics")
                    .healthyAfter("/status")
                    .run();
            assertThat(violations).isEmpty();

            // paused now: once the cycles the battery asked for have run, the next one is the new file's
            await().atMost(Duration.ofMinutes(5)).until(() -> http.post("/cycles?wait=50s", "").status() == 200);
            Files.writeString(landing.resolve("c.csv"), "order_id,customer,amount,order_date\n9,hal,3.50,2026-11-26\nten,ida,1.0,2026-11-26\n");
            JsonNode cycle = requestedCycle(http);
            assertThat(List.of(cycle.get("outcome").asText(), cycle.get("rowsRead").asLong(), cycle.get("batchId").asLong()))
                    .as(cycle.toString()).containsExactly("PUBLISHED", 2L, 1L);
        }
        List<String> orders = spark.read().parquet(out.toString()).orderBy("order_id").collectAsList().stream()
                .map((Row r) -> r.getAs("order_id") + "|" + r.getAs("customer") + "|b" + r.getAs("batch_id"))
                .toList();
        assertThat(orders).containsExactly("1|ada|b0", "2|brian|b0", "4|dora|b0", "9|hal|b1");
    }

    /**
     * Asks for one cycle of the paused, idle runner and returns its report from {@code /status} (polled:
     * the machine may be slower than a {@code ?wait=}).
     */
    private static JsonNode requestedCycle(JsonHttp http) {
        long before = details(http).get("cycles").asLong();
        assertThat(http.post("/cycles", "").status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(5)).until(() -> details(http).get("cycles").asLong() > before);
        return details(http).get("lastCycle");
    }

    private static JsonNode details(JsonHttp http) {
        return http.get("/status").json().at("/components/orders-etl/details");
    }
}
