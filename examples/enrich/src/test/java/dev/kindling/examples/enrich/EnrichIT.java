package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enrich service on the shared SparkSession ({@code local[2]}), the testkit's Kafka broker and a PostgreSQL
 * database of the test's own: valid orders come out enriched, exactly; five invalid orders (four kinds) go to the
 * dead-letter topic with their reason; {@code /status} shows the orders query in real-time mode; and a price changed
 * in PostgreSQL reaches new orders within 30 s (the refresh interval, the wait of the refresh's jobs for a task slot
 * and one checkpoint interval; about 7 s on two cores), and stays.
 */
@KindlingSparkTest
@KindlingKafkaTest
@KindlingPostgresTest
class EnrichIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The refresh interval (1 s), two real-time batches (5 s each: each Spark job of the refresh waits for a slot), and room for a busy machine. */
    private static final Duration CHANGE_BOUND = Duration.ofSeconds(30);
    private static final String SCHEMA_ERROR = "value is malformed JSON or does not match the schema " + OrderEnrichment.SCHEMA;

    @TempDir
    Path tmp;

    static JdbcEndpoint endpoint(PostgresDatabase db) {
        return new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password()));
    }

    @Test
    void enrichesValidOrdersInRealTimeSendsTheOthersToDeadLettersAndSeesAPriceChange(SparkSession spark, KafkaBroker kafka,
                                                                                     PostgresDatabase db) {
        String orders = kafka.createUniqueTopic("orders", 1);
        String enriched = kafka.createUniqueTopic("orders-enriched", 1);
        String dead = kafka.createUniqueTopic("orders-dead", 1);
        JdbcEndpoint endpoint = endpoint(db);
        ProductsRefresh.createTable(endpoint);
        db.execute("INSERT INTO products (product_id, name, price) VALUES ('p-1', 'lantern', 12.50), ('p-2', 'rope', 4.25)");
        kafka.produce(orders, List.of(
                KafkaMessage.of(null, OrderGenerator.json("o-1", "p-1", 2)),
                KafkaMessage.of(null, OrderGenerator.json("o-2", "p-2", 3)),
                KafkaMessage.of(null, OrderGenerator.json("o-3", "p-1", 0)),
                KafkaMessage.of(null, OrderGenerator.json("o-4", "p-404", 1)),
                KafkaMessage.of(null, "{\"orderId\": \"o-5\", \"productId\": \"p-1\""),
                KafkaMessage.of(null, "{\"orderId\": \"o-6\", \"productId\": \"p-1\"}"),
                KafkaMessage.of(null, "{\"orderId\": \"o-7\", \"productId\": \"p-1\", \"quantity\": \"two\"}"),
                KafkaMessage.of("k-8", OrderGenerator.json("o-8", "p-2", 1))));
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.enrich.orders-topic", orders, "kindling.enrich.enriched-topic", enriched,
                "kindling.enrich.dead-letters-topic", dead, "kindling.enrich.products-interval", "1s"));
        try (KindlingService service = EnrichApp.service(settings, kafka.bootstrapServers(), endpoint, tmp).spark(spark).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            List<KafkaRecord> out = kafka.consume(enriched, 3, TIMEOUT);
            assertThat(out).extracting(KafkaRecord::keyAsString, KafkaRecord::valueAsString).containsExactly(
                    tuple("o-1", "{\"orderId\":\"o-1\",\"productId\":\"p-1\",\"quantity\":2,\"name\":\"lantern\",\"price\":12.50,\"total\":25.00}"),
                    tuple("o-2", "{\"orderId\":\"o-2\",\"productId\":\"p-2\",\"quantity\":3,\"name\":\"rope\",\"price\":4.25,\"total\":12.75}"),
                    tuple("o-8", "{\"orderId\":\"o-8\",\"productId\":\"p-2\",\"quantity\":1,\"name\":\"rope\",\"price\":4.25,\"total\":4.25}"));

            // Two queries write dead letters (the decoder's and the orders query's own), so their order is by offset.
            List<KafkaRecord> letters = kafka.consume(dead, 5, TIMEOUT).stream()
                    .sorted(java.util.Comparator.comparingLong(r -> Long.parseLong(r.header("kindling.offset")))).toList();
            assertThat(letters).extracting(r -> r.header("kindling.offset"), r -> r.header("kindling.error"), KafkaRecord::valueAsString)
                    .containsExactly(
                            tuple("2", "quantity must be at least 1; got 0", "{\"orderId\":\"o-3\",\"productId\":\"p-1\",\"quantity\":0}"),
                            tuple("3", "unknown productId 'p-404'", "{\"orderId\":\"o-4\",\"productId\":\"p-404\",\"quantity\":1}"),
                            tuple("4", SCHEMA_ERROR, "{\"orderId\": \"o-5\", \"productId\": \"p-1\""),
                            tuple("5", "required field 'quantity' is missing or null", "{\"orderId\": \"o-6\", \"productId\": \"p-1\"}"),
                            tuple("6", SCHEMA_ERROR, "{\"orderId\": \"o-7\", \"productId\": \"p-1\", \"quantity\": \"two\"}"));
            assertThat(letters).allSatisfy(r -> assertThat(r.header("kindling.topic")).isEqualTo(orders));
            assertThat(letters).filteredOn(r -> r.valueAsString().contains("o-3") || r.valueAsString().contains("o-4"))
                    .extracting(KafkaRecord::keyAsString).containsExactly("o-3", "o-4");

            JsonNode status = http.get("/status").json();
            assertThat(status.get("service").asText()).isEqualTo("enrich");
            assertThat(status.at("/components/orders/details/trigger").asText()).isEqualTo("real-time:5000ms");
            assertThat(status.at("/components/orders/details/triggerReason").isNull()).as(status.toString()).isTrue();
            assertThat(status.at("/components/orders/pattern").asText()).isEqualTo("streaming");
            assertThat(status.at("/components/products/pattern").asText()).isEqualTo("continuous");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/status").json()
                    .at("/components/orders/details/deadLetterCount").asLong()).isEqualTo(3));

            // A price changed in PostgreSQL reaches the orders after the change, and every later order keeps it.
            db.execute("UPDATE products SET price = 13.00 WHERE product_id = 'p-1'");
            long changedAt = System.nanoTime();
            AtomicInteger n = new AtomicInteger(100);
            await().atMost(CHANGE_BOUND).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                kafka.produce(orders, null, OrderGenerator.json("o-" + n.incrementAndGet(), "p-1", 1));
                assertThat(kafka.consume(enriched, 4, TIMEOUT)).extracting(KafkaRecord::valueAsString)
                        .anySatisfy(v -> assertThat(v).contains("\"price\":13.00"));
            });
            Duration seen = Duration.ofNanos(System.nanoTime() - changedAt);
            System.out.println("enrich: the new price reached the orders " + seen.toMillis() + " ms after the update");
            int last = n.get();
            List<String> later = kafka.consume(enriched, 3 + last - 100, TIMEOUT).stream().skip(3).map(KafkaRecord::valueAsString).toList();
            int firstNew = later.indexOf(later.stream().filter(v -> v.contains("\"price\":13.00")).findFirst().orElseThrow());
            assertThat(later.subList(firstNew, later.size())).allSatisfy(v -> assertThat(v).contains("\"price\":13.00,\"total\":13.00"));
            assertThat(later.subList(0, firstNew)).allSatisfy(v -> assertThat(v).contains("\"price\":12.50,\"total\":12.50"));

            assertThat(http.get("/readyz").status()).isEqualTo(200);
            service.shutdown();
            assertThat(service.overran()).isEmpty();
            assertThat(service.status().components().values()).extracting(c -> c.state())
                    .containsExactly(ComponentState.STOPPED, ComponentState.STOPPED);
        }
    }
}
