package dev.kindling.service.zerocode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.ComponentProvider;
import dev.kindling.service.KindlingService;
import dev.kindling.service.Main;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration-only services whose database or broker goes away: the runners declare what their
 * connectors reach (a JDBC source, a Kafka source and sink) and the service checks each one at
 * {@code GET /readyz}, with no check written by the app. While the system is away readiness is 503
 * within 10 s, names it (never its password) and liveness stays 200; when it is back, readiness
 * returns by itself and the service works on.
 *
 * <p>The services are built in this JVM by the same providers that {@code dev.kindling.service.Main}
 * uses, on the test's SparkSession, so that the database and the broker can be stopped under them.
 */
@KindlingSparkTest
class DependencyOutageIT {
    private static final Duration READINESS_BOUND = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String PASSWORD = "outage-pw-7f3a";

    @TempDir
    Path dir;

    @Test
    void continuousAndOnDemandServicesOnADatabaseTurnUnreadyNamingItWhileItIsAway(SparkSession spark) {
        try (PostgresServer server = PostgresServer.start()) {
            PostgresDatabase db = server.createDatabase("shop");
            db.execute("CREATE ROLE shop_reader LOGIN PASSWORD '" + PASSWORD + "'");
            db.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, amount INT)");
            db.execute("GRANT SELECT ON orders TO shop_reader");
            db.update("INSERT INTO orders VALUES (1, 3), (2, 4)");
            String source = db.jdbcUrl() + "?table=orders&user=shop_reader&password=" + PASSWORD;
            String check = "database " + db.jdbcUrl();
            List<KindlingService> services = new ArrayList<>();
            try {
                services.add(start("continuous", spark, Map.of("kindling.continuous.name", "orders",
                        "kindling.continuous.source", source, "kindling.continuous.watermark-column", "id",
                        "kindling.continuous.sink", "file:" + dir.resolve("out") + "?format=parquet&perBatch=true",
                        "kindling.continuous.watermark-store", "file:" + dir.resolve("orders.watermark"),
                        "kindling.continuous.interval", "1h")));
                services.add(start("ondemand", spark, Map.of("kindling.ondemand.job.name", "totals",
                        "kindling.ondemand.job.source", source, "kindling.ondemand.job.sql", "SELECT sum(amount) AS total FROM input")));
                List<JsonHttp> https = services.stream().map(s -> new JsonHttp(s.port(), null)).toList();
                for (JsonHttp http : https) {
                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                    assertThat(http.get("/readyz").json().get("checks").get(check).asText()).isEqualTo("ready");
                }

                server.stop();
                for (JsonHttp http : https) {
                    long stoppedAt = System.nanoTime();
                    await().atMost(READINESS_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> http.get("/readyz").status() == 503);
                    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThanOrEqualTo(READINESS_BOUND);
                    JsonHttp.Response readyz = http.get("/readyz");
                    assertThat(readyz.json().get("checks").get(check).asText())
                            .startsWith("not ready: cannot connect to " + db.jdbcUrl() + ": Connection to localhost:" + server.port() + " refused");
                    assertThat(readyz.body()).doesNotContain(PASSWORD);
                    assertThat(http.get("/healthz").status()).as("liveness is not about dependencies").isEqualTo(200);
                }

                server.restart();
                for (JsonHttp http : https) {
                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                }
                JsonHttp.Response totals = https.get(1).post("/jobs/totals?wait=60s", "{}");
                assertThat(totals.status()).as(totals.body()).isEqualTo(200);
                assertThat(totals.json().at("/result/rows/0/total").asLong()).isEqualTo(7L);
                JsonHttp.Response cycle = https.get(0).post("/cycles?wait=60s", "");
                assertThat(cycle.status()).as(cycle.body()).isEqualTo(200);
                assertThat(spark.read().parquet(dir.resolve("out").toString()).count()).isEqualTo(2L);
            } finally {
                services.forEach(KindlingService::shutdown);
            }
        }
    }

    @Test
    void aStreamingServiceOnKafkaTurnsUnreadyNamingTheBrokersWhileTheyAreAway(SparkSession spark) {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("shout-in", 1);
            kafka.createTopic("shout-out", 1);
            String base = "kafka://" + kafka.bootstrapServers() + "/";
            String check = "kafka " + kafka.bootstrapServers();
            KindlingService service = start("streaming", spark, Map.of("kindling.streaming.name", "shout",
                    "kindling.streaming.source", base + "shout-in", "kindling.streaming.decode", "text",
                    "kindling.streaming.sql", "SELECT upper(value) AS value FROM input", "kindling.streaming.sink", base + "shout-out",
                    "kindling.streaming.checkpoint", dir.resolve("shout-checkpoint").toString(), "kindling.streaming.trigger", "200ms"));
            try {
                JsonHttp http = new JsonHttp(service.port(), null);
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                JsonNode checks = http.get("/readyz").json().get("checks");
                assertThat(checks.get(check).asText()).isEqualTo("ready");
                assertThat(checks.size()).as("one check for the source and the sink on one cluster: %s", checks).isEqualTo(2);

                long stoppedAt = System.nanoTime();
                kafka.stop();
                await().atMost(READINESS_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> http.get("/readyz").status() == 503);
                assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThanOrEqualTo(READINESS_BOUND);
                assertThat(http.get("/readyz").json().get("checks").get(check).asText())
                        .startsWith("not ready: the Kafka brokers at " + kafka.bootstrapServers() + " do not answer: ");
                assertThat(http.get("/healthz").status()).as("liveness is not about dependencies").isEqualTo(200);

                kafka.restart();
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status())
                        .as("%s", http.get("/readyz").body()).isEqualTo(200));
                kafka.produce("shout-in", "1", "back");
                assertThat(kafka.consume("shout-out", 1, TIMEOUT).get(0).valueAsString()).isEqualTo("BACK");
            } finally {
                service.shutdown();
            }
        }
    }

    /** The configuration-only service of {@code pattern} from {@code settings}, on {@code spark} and a free loopback port. */
    private static KindlingService start(String pattern, SparkSession spark, Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("kindling.http.port", "0");
        all.put("kindling.http.host", "127.0.0.1");
        Settings s = Settings.of(all);
        ComponentProvider provider = Main.providers().get(pattern);
        return KindlingService.builder(pattern).settings(s).spark(spark).component(provider.fromSettings(s)).start();
    }
}
