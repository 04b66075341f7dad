package dev.kindling.examples.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.AppJar;
import dev.kindling.testkit.ReadmeCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.service.Json;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.KindlingSparkClusterTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etl service's app jar on a real standalone cluster through the real {@code org.apache.spark.deploy.SparkSubmit},
 * in cluster deploy mode (the driver in a worker's JVM, stopped with {@code spark-submit --kill}) and, with the
 * standalone command of the README run from its text, in client deploy mode (the driver in the spark-submit JVM):
 * the same Parquet rows and quarantined rows as {@link OrdersEtlIT} on the embedded default, read back here with
 * local Spark.
 */
@KindlingSparkClusterTest
@KindlingSparkTest
class EtlOnTheClusterIT {
    @Test
    void convertsTheSameRowsInClusterDeployMode(SparkStandaloneCluster cluster, SparkSession local, @TempDir Path dir) throws Exception {
        Path landing = landing(dir);
        Path out = dir.resolve("orders");
        Path quarantine = dir.resolve("quarantine");
        List<String> args = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--deploy-mode", "cluster",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.memory=512m", "--conf", "spark.executor.memory=512m",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.standalone.submit.waitAppCompletion=false",
                // the HTTP port of the driver, wherever it runs: a free one
                "--conf", "spark.driver.extraJavaOptions=-Dkindling.http.port=0 -Dkindling.http.host=127.0.0.1",
                "--class", EtlApp.class.getName(), AppJar.of("kindling-example-etl").path().toAbsolutePath().toString(),
                landing.toString(), out.toString(), quarantine.toString(), dir.resolve("checkpoint").toString(), "2s"));
        try (ForkedJvm submit = sparkSubmit(cluster, args)) {
            AtomicReference<String> driver = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                driver.set(driverOf(cluster, EtlApp.class.getName()));
                return driver.get() != null;
            });
            String driverId = driver.get();
            try {
                assertConvertedAsOnTheEmbeddedDefault(local, out, quarantine);
            } finally {
                // Spark's standalone way to stop a driver (spark-submit --kill needs the master's REST server, off by default)
                try (ForkedJvm kill = spark(cluster, "org.apache.spark.deploy.Client", List.of("kill", cluster.masterUrl(), driverId))) {
                    kill.awaitExit(Duration.ofMinutes(2));
                    await().atMost(Duration.ofMinutes(2)).alias("the killed driver is gone")
                            .until(() -> driverOf(cluster, EtlApp.class.getName()) == null);
                }
            }
        }
    }

    /** Client deploy mode, as the README gives it. */
    @Test
    void theReadmeCommandRunsOnTheClusterInClientDeployMode(SparkStandaloneCluster cluster, SparkSession local, @TempDir Path dir) throws Exception {
        landing(dir);
        ProcessBuilder b = ReadmeCommand.of("standalone").process(cluster, dir.resolve("shim")).redirectOutput(dir.resolve("readme.log").toFile());
        b.environment().put("ETL_DIR", dir.toString());
        b.environment().put("KINDLING_HTTP_HOST", "127.0.0.1");
        b.environment().put("PORT", "0");
        Process p = b.start();
        try {
            assertConvertedAsOnTheEmbeddedDefault(local, dir.resolve("orders"), dir.resolve("quarantine"));
        } finally {
            p.toHandle().destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("readme.log"))).isTrue();
        }
    }

    /** The landing folder with the two files of {@link OrdersEtlIT}'s first cycle. */
    private static Path landing(Path dir) throws IOException {
        Path landing = Files.createDirectories(dir.resolve("landing"));
        Files.writeString(landing.resolve("a.csv"), EtlApp.SAMPLE);
        Files.writeString(landing.resolve("b.csv"), "order_id,customer,amount,order_date\n7,fay,1.00,2026-11-24\n8,gus,2.00\n");
        return landing;
    }

    /** What {@link OrdersEtlIT} asserts after the first cycle on the embedded default, read back with local Spark. */
    private static void assertConvertedAsOnTheEmbeddedDefault(SparkSession local, Path out, Path quarantine) {
        // each batch is renamed into place from a temporary folder once written, so a folder can exist while it holds no
        // batch yet (reading it then fails): wait until both read back whole
        await().atMost(Duration.ofMinutes(4)).ignoreExceptions()
                .until(() -> orders(local, out).size() == 4 && quarantined(local, quarantine).size() == 4);
        assertThat(orders(local, out)).containsExactly(
                "1|ada|12.5|2026-11-24|b0", "2|brian|7.25|2026-11-24|b0", "4|dora|19.99|2026-11-25|b0", "7|fay|1.0|2026-11-24|b0");
        String schema = "does not match the schema (" + OrdersEtl.SCHEMA + ")";
        assertThat(quarantined(local, quarantine))
                .containsExactly(
                        "a.csv|3,chen,not-a-number,2026-11-25|" + schema + "|b0",
                        "a.csv|5,,3.0,2026-11-25|missing customer|b0",
                        "a.csv|6,emil,-1.0,2026-11-25|negative amount|b0",
                        "b.csv|8,gus,2.00|" + schema + "|b0");
    }

    /** The id of the driver of {@code mainClass} the master runs, or null. */
    private static String driverOf(SparkStandaloneCluster cluster, String mainClass) throws IOException {
        for (JsonNode d : Json.mapper().readTree(cluster.masterStatus()).path("activedrivers")) {
            if (d.get("mainclass").asText().equals(mainClass)) {
                return d.get("id").asText();
            }
        }
        return null;
    }

    private static List<String> quarantined(SparkSession local, Path quarantine) {
        return local.read().json(quarantine.toString()).orderBy("file", "row").collectAsList().stream()
                .map((Row r) -> r.getAs("file") + "|" + r.getAs("row") + "|" + r.getAs("reason") + "|b" + r.getAs("batch_id")).toList();
    }

    private static List<String> orders(SparkSession local, Path out) {
        return local.read().parquet(out.toString()).orderBy("order_id").collectAsList().stream()
                .map((Row r) -> r.getAs("order_id") + "|" + r.getAs("customer") + "|" + r.getAs("amount") + "|" + r.getAs("order_date")
                        + "|b" + r.getAs("batch_id"))
                .toList();
    }

    /** The real spark-submit with the cluster's Spark home, in a JVM of its own (the driver's port comes by extraJavaOptions). */
    private static ForkedJvm sparkSubmit(SparkStandaloneCluster cluster, List<String> args) {
        return spark(cluster, "org.apache.spark.deploy.SparkSubmit", args);
    }

    /** A main class of Spark's with the cluster's Spark home, in a JVM of its own. */
    private static ForkedJvm spark(SparkStandaloneCluster cluster, String mainClass, List<String> args) {
        return ForkedJvm.builder(mainClass).spark()
                .classPath(cluster.sparkHome().resolve("jars") + "/*")
                .env("SPARK_HOME", cluster.sparkHome().toString()).env("SPARK_SCALA_VERSION", "2.13").env("SPARK_LOCAL_IP", "127.0.0.1")
                .args(args.toArray(String[]::new)).start();
    }
}
