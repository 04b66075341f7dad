package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import dev.kindling.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enrich service while its PostgreSQL server is stopped and started again under it, on a server of the test's
 * own. While the database is away, {@code /readyz} turns 503 within 10 s and names it, {@code /healthz} stays 200,
 * and <b>orders are still enriched</b>, in real-time mode, from the newest products snapshot: the orders query never
 * reads the database. When it is back, readiness returns by itself and a price changed meanwhile reaches the orders.
 */
@KindlingSparkTest
@KindlingKafkaTest
class EnrichDatabaseOutageIT {
    private static final Duration READINESS_BOUND = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void ordersAreEnrichedFromTheSnapshotWhileTheDatabaseIsAwayAndAChangeArrivesAfterwards(SparkSession spark, KafkaBroker kafka) {
        try (PostgresServer server = PostgresServer.start()) {
            PostgresDatabase pg = server.createDatabase("enrich");
            ProductsRefresh.createTable(EnrichIT.endpoint(pg));
            pg.execute("INSERT INTO products (product_id, name, price) VALUES ('p-1', 'lantern', 12.50)");
            String orders = kafka.createUniqueTopic("outage-orders", 1);
            String enriched = kafka.createUniqueTopic("outage-enriched", 1);
            String dead = kafka.createUniqueTopic("outage-dead", 1);
            kafka.produce(orders, null, OrderGenerator.json("o-1", "p-1", 1));
            Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                    "kindling.enrich.orders-topic", orders, "kindling.enrich.enriched-topic", enriched,
                    "kindling.enrich.dead-letters-topic", dead, "kindling.enrich.products-interval", "1s"));
            try (KindlingService service = EnrichApp.service(settings, kafka.bootstrapServers(), EnrichIT.endpoint(pg), tmp)
                    .spark(spark).start()) {
                JsonHttp http = new JsonHttp(service.port(), null);
                assertThat(kafka.consume(enriched, 1, TIMEOUT)).extracting(KafkaRecord::keyAsString).containsExactly("o-1");
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status()).isEqualTo(200));
                assertThat(http.get("/readyz").json().get("checks").get("database " + pg.jdbcUrl()).asText()).isEqualTo("ready");

                long stoppedAt = System.nanoTime();
                server.stop();
                await().atMost(READINESS_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> http.get("/readyz").status() == 503);
                assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).as("from the stop to /readyz 503")
                        .isLessThanOrEqualTo(READINESS_BOUND);
                JsonNode readyz = http.get("/readyz").json();
                assertThat(readyz.get("checks").get("database " + pg.jdbcUrl()).asText()).startsWith("not ready: ");
                assertThat(http.get("/healthz").status()).as("liveness is not about dependencies").isEqualTo(200);

                kafka.produce(orders, null, OrderGenerator.json("o-2", "p-1", 2));
                assertThat(kafka.consume(enriched, 2, TIMEOUT)).extracting(KafkaRecord::valueAsString).last().isEqualTo(
                        "{\"orderId\":\"o-2\",\"productId\":\"p-1\",\"quantity\":2,\"name\":\"lantern\",\"price\":12.50,\"total\":25.00}");
                assertThat(http.get("/status").json().at("/components/orders/details/trigger").asText()).isEqualTo("real-time:5000ms");

                server.restart();
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/readyz").status())
                        .as("%s", http.get("/readyz").body()).isEqualTo(200));
                pg.execute("UPDATE products SET price = 13.00 WHERE product_id = 'p-1'");
                AtomicInteger n = new AtomicInteger(2);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    kafka.produce(orders, null, OrderGenerator.json("o-" + n.incrementAndGet(), "p-1", 1));
                    assertThat(kafka.consume(enriched, 3, TIMEOUT)).extracting(KafkaRecord::valueAsString)
                            .anySatisfy(v -> assertThat(v).contains("\"price\":13.00,\"total\":13.00"));
                });
                assertThat(kafka.latestOffsets(dead).values().stream().mapToLong(Long::longValue).sum()).as("no dead letter").isZero();
                service.shutdown();
                assertThat(service.overran()).isEmpty();
            }
        }
    }
}
