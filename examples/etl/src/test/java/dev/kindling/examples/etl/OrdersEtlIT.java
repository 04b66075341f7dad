package dev.kindling.examples.etl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.continuous.CycleReport;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
class OrdersEtlIT {
    @TempDir
    Path tmp;

    private static KindlingService serve(SparkSession spark, ContinuousRunner runner) {
        return KindlingService.builder("orders-etl")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .component(runner)
                .start();
    }

    @Test
    void everyFileOnceAcrossARestartWithMalformedRowsQuarantined(SparkSession spark) throws Exception {
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path out = tmp.resolve("orders");
        Path quarantine = tmp.resolve("quarantine");
        Path cp = tmp.resolve("checkpoint");
        Files.writeString(landing.resolve("a.csv"), EtlApp.SAMPLE);
        Files.writeString(landing.resolve("b.csv"), "order_id,customer,amount,order_date\n7,fay,1.00,2026-11-24\n8,gus,2.00\n");

        ContinuousRunner first = OrdersEtl.builder(landing, out, quarantine, cp).startPaused(true).build();
        try (KindlingService service = serve(spark, first)) {
            CycleReport r1 = first.runOnce();
            assertThat(r1).extracting(CycleReport::outcome, CycleReport::rowsRead, CycleReport::error)
                    .containsExactly(CycleOutcome.PUBLISHED, 8L, null);
            assertThat(first.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);
        }

        // restart: a new service on the same checkpoint reads only the file dropped since; a cycle asked for over HTTP
        Files.writeString(landing.resolve("c.csv"), "order_id,customer,amount,order_date\n9,hal,3.50,2026-11-26\nten,ida,1.0,2026-11-26\n");
        ContinuousRunner restarted = OrdersEtl.builder(landing, out, quarantine, cp).startPaused(true).build();
        try (KindlingService service = serve(spark, restarted)) {
            JsonHttp http = new JsonHttp(service.port(), null);
            JsonHttp.Response cycle = http.post("/cycles?wait=60s", "");
            assertThat(cycle.status()).isEqualTo(200);
            assertThat(List.of(cycle.json().get("outcome").asText(), cycle.json().get("rowsRead").asLong()))
                    .containsExactly("PUBLISHED", 2L);
            assertThat(restarted.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);
            assertThat(http.get("/status").json().get("components").get("orders-etl").get("details").get("cycles").asLong())
                    .isEqualTo(2L);
        }

        List<String> orders = spark.read().parquet(out.toString()).orderBy("order_id").collectAsList().stream()
                .map((Row r) -> r.getAs("order_id") + "|" + r.getAs("customer") + "|" + r.getAs("amount") + "|" + r.getAs("order_date")
                        + "|b" + r.getAs("batch_id"))
                .toList();
        assertThat(orders).containsExactly(
                "1|ada|12.5|2026-11-24|b0", "2|brian|7.25|2026-11-24|b0", "4|dora|19.99|2026-11-25|b0",
                "7|fay|1.0|2026-11-24|b0", "9|hal|3.5|2026-11-26|b1");
        List<String> rejected = spark.read().json(quarantine.toString()).orderBy("file", "row").collectAsList().stream()
                .map((Row r) -> r.getAs("file") + "|" + r.getAs("row") + "|" + r.getAs("reason") + "|b" + r.getAs("batch_id"))
                .toList();
        String schema = "does not match the schema (" + OrdersEtl.SCHEMA + ")";
        assertThat(rejected).containsExactly(
                "a.csv|3,chen,not-a-number,2026-11-25|" + schema + "|b0",
                "a.csv|5,,3.0,2026-11-25|missing customer|b0",
                "a.csv|6,emil,-1.0,2026-11-25|negative amount|b0",
                "b.csv|8,gus,2.00|" + schema + "|b0",
                "c.csv|ten,ida,1.0,2026-11-26|" + schema + "|b1");
        try (var dates = Files.list(out.resolve("batch_id=0"))) {
            assertThat(dates.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("order_date=")).sorted())
                    .containsExactly("order_date=2026-11-24", "order_date=2026-11-25");
        }
    }
}
