package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.ForkedJvm;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service ({@link EnrichApp#main}, in a JVM of its own, real-time mode) killed with {@code kill -9} while
 * orders arrive, then started again on the same checkpoint (in the test's JVM): no order is lost. The enriched topic
 * is at-least-once, as Kafka's sink is: orders produced since the last checkpoint before the kill may be written
 * again. The duplicate rule this test holds the service to: every order id produced is on the enriched topic, an id
 * written twice has the same value both times, and only orders sent before the kill may be written twice.
 */
@KindlingSparkTest
@KindlingKafkaTest
@KindlingPostgresTest
class EnrichRestartIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void killedWhileOrdersArriveAndStartedAgainItLosesNoOrder(SparkSession spark, KafkaBroker kafka, PostgresDatabase db) {
        String orders = kafka.createUniqueTopic("orders", 1);
        String enriched = kafka.createUniqueTopic("orders-enriched", 1);
        String dead = kafka.createUniqueTopic("orders-dead", 1);
        ProductsRefresh.createTable(EnrichIT.endpoint(db));
        db.execute("INSERT INTO products (product_id, name, price) VALUES ('p-1', 'lantern', 12.50), ('p-2', 'rope', 4.25)");
        Path checkpoint = tmp.resolve("checkpoint");
        kafka.produce(orders, orders(1, 20));

        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "ENRICH_JDBC_URL", db.jdbcUrl(), "ENRICH_JDBC_USER", db.user(), "ENRICH_JDBC_PASSWORD", db.password(),
                "ENRICH_CHECKPOINT", checkpoint.toString(), "ENRICH_ORDERS_TOPIC", orders, "ENRICH_ENRICHED_TOPIC", enriched,
                "ENRICH_DEAD_LETTERS_TOPIC", dead, "PORT", "0", "KINDLING_HTTP_HOST", "127.0.0.1"));
        env.put("SPARK_MASTER", "local[2]");
        env.put("ENRICH_PRODUCTS_INTERVAL", "1s");
        try (ForkedJvm first = ForkedJvm.builder(EnrichApp.class).spark().jvmOptions("-Xmx1g").env(env).start()) {
            int port = Integer.parseInt(first.awaitLine("listening on http://[^:]+:(\\d+)", TIMEOUT).group(1));
            assertThat(kafka.consume(enriched, 20, TIMEOUT)).as(first::output).hasSizeGreaterThanOrEqualTo(20);
            assertThat(new JsonHttp(port, null).get("/status").json().at("/components/orders/details/trigger").asText())
                    .isEqualTo("real-time:5000ms");
            kafka.produce(orders, orders(21, 40));
            first.kill(); // kill -9, with the orders 21 to 40 somewhere between sent, written and checkpointed
            first.awaitExit(Duration.ofSeconds(30));
        }
        kafka.produce(orders, orders(41, 60)); // while the service is down

        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.enrich.orders-topic", orders, "kindling.enrich.enriched-topic", enriched,
                "kindling.enrich.dead-letters-topic", dead, "kindling.enrich.products-interval", "1s"));
        try (KindlingService again = EnrichApp.service(settings, kafka.bootstrapServers(), EnrichIT.endpoint(db), checkpoint)
                .spark(spark).start()) {
            // Duplicates count towards consume's expected count: wait for every id, not for 60 records.
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(kafka.consume(enriched, 60, TIMEOUT))
                    .extracting(KafkaRecord::keyAsString).containsAll(ids(1, 60)));
            List<KafkaRecord> out = kafka.consume(enriched, 60, TIMEOUT);
            Map<String, List<String>> byId = out.stream().collect(Collectors.groupingBy(KafkaRecord::keyAsString,
                    Collectors.mapping(KafkaRecord::valueAsString, Collectors.toList())));
            assertThat(new TreeSet<>(byId.keySet())).as("every order once at least").isEqualTo(ids(1, 60));
            byId.forEach((id, values) -> assertThat(Set.copyOf(values)).as(id).containsExactly(expected(id)));
            Set<String> twice = byId.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(ids(1, 40)).as("written twice: only orders sent before the kill").containsAll(twice);
            System.out.println("enrich restart: " + out.size() + " records for 60 orders; written twice: " + twice);
            assertThat(kafka.latestOffsets(dead).values().stream().mapToLong(Long::longValue).sum()).as("no dead letter").isZero();
            again.shutdown();
            assertThat(again.overran()).isEmpty();
        }
    }

    /** Orders {@code o-FROM} to {@code o-TO}: odd ones 1 × p-1, even ones 2 × p-2. */
    private static List<KafkaMessage> orders(int from, int to) {
        List<KafkaMessage> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(KafkaMessage.of(null, OrderGenerator.json("o-" + i, i % 2 == 1 ? "p-1" : "p-2", i % 2 == 1 ? 1 : 2)));
        }
        return out;
    }

    private static String expected(String id) {
        int i = Integer.parseInt(id.substring(2));
        return i % 2 == 1
                ? "{\"orderId\":\"" + id + "\",\"productId\":\"p-1\",\"quantity\":1,\"name\":\"lantern\",\"price\":12.50,\"total\":12.50}"
                : "{\"orderId\":\"" + id + "\",\"productId\":\"p-2\",\"quantity\":2,\"name\":\"rope\",\"price\":4.25,\"total\":8.50}";
    }

    private static Set<String> ids(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "o-" + i).collect(Collectors.toCollection(TreeSet::new));
    }
}
