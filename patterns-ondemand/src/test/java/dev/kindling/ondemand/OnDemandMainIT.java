package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SQL-over-data service from configuration alone. */
@KindlingSparkTest
class OnDemandMainIT {
    @Test
    void servesSqlOverAConfiguredSource(SparkSession spark, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("sales");
        Files.createDirectories(data);
        Files.writeString(data.resolve("part-0.json"), """
                {"region": "north", "amount": 5}
                {"region": "south", "amount": 7}
                {"region": "north", "amount": 1}
                """);
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.ondemand.job.name", "sales",
                "kindling.ondemand.job.source", "file:" + data + "?format=json",
                "kindling.ondemand.job.sql", "SELECT region, sum(amount) AS total FROM input GROUP BY region ORDER BY region",
                "kindling.ondemand.job.limit", "1"));
        OnDemandService service = OnDemandMain.fromSettings(settings, spark).start();
        try {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 200);
            JsonHttp.Response r = http.post("/jobs/sales?wait=20s", "");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("result")).isEqualTo(ControlPlane.json().readTree(
                    "{\"rows\":[{\"region\":\"north\",\"total\":6}],\"truncated\":true}"));
            JsonHttp.Response sync = http.get("/sales");
            assertThat(sync.json()).isEqualTo(ControlPlane.json().readTree("{\"rows\":[{\"region\":\"north\",\"total\":6}],\"truncated\":true}"));
        } finally {
            service.shutdown();
        }
        assertThat(spark.sparkContext().isStopped()).isFalse();
    }

    @Test
    void aMissingSourceFailsFastNamingTheSetting(SparkSession spark) {
        assertThatThrownBy(() -> OnDemandMain.fromSettings(Settings.of(Map.of()), spark))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("set kindling.ondemand.job.source (env KINDLING_ONDEMAND_JOB_SOURCE) to the source URI the job reads, "
                        + "e.g. file:/data/sales?format=parquet");
        assertThatThrownBy(() -> OnDemandMain.fromSettings(Settings.of(Map.of("kindling.ondemand.job.source", "console:")), spark))
                .isInstanceOf(ConfigurationException.class);
    }
}
