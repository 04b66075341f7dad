package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enrich service, with a token, against the hostile-input battery over real HTTP: its routes are the service's
 * ({@code /status}) and the products refresh's actions ({@code POST /cycles}, {@code /pause}, {@code /resume}), with
 * every parameter varied, bodies of every shape and the token cases. Only 4xx or 429 answers; afterwards orders still
 * come out enriched.
 */
@KindlingSparkTest
@KindlingKafkaTest
@KindlingPostgresTest
class EnrichHostileInputsIT {
    private static final String TOKEN = "enrich-hostile-t0ken";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void everyHostileRequestGetsA4xxOr429AndOrdersAreEnrichedAfterwards(SparkSession spark, KafkaBroker kafka, PostgresDatabase db) {
        String orders = kafka.createUniqueTopic("hostile-orders", 1);
        String enriched = kafka.createUniqueTopic("hostile-enriched", 1);
        String dead = kafka.createUniqueTopic("hostile-dead", 1);
        ProductsRefresh.createTable(EnrichIT.endpoint(db));
        db.execute("INSERT INTO products (product_id, name, price) VALUES ('p-1', 'lantern', 12.50)");
        kafka.produce(orders, null, OrderGenerator.json("o-1", "p-1", 1));
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.auth.token", TOKEN, "kindling.enrich.orders-topic", orders, "kindling.enrich.enriched-topic", enriched,
                "kindling.enrich.dead-letters-topic", dead));
        try (KindlingService service = EnrichApp.service(settings, kafka.bootstrapServers(), EnrichIT.endpoint(db), tmp)
                .spark(spark).start()) {
            assertThat(kafka.consume(enriched, 1, TIMEOUT)).extracting(KafkaRecord::keyAsString).containsExactly("o-1");

            List<String> violations = HostileInputs.against(service.port()).token(TOKEN)
                    .get("/status")
                    .action("/cycles?wait=30s")
                    .action("/pause")
                    .action("/resume")
                    .healthyAfter("/status")
                    .run();
            assertThat(violations).isEmpty();

            kafka.produce(orders, null, OrderGenerator.json("o-2", "p-1", 2));
            assertThat(kafka.consume(enriched, 2, TIMEOUT)).extracting(KafkaRecord::keyAsString, KafkaRecord::valueAsString)
                    .contains(org.assertj.core.groups.Tuple.tuple("o-2",
                            "{\"orderId\":\"o-2\",\"productId\":\"p-1\",\"quantity\":2,\"name\":\"lantern\",\"price\":12.50,\"total\":25.00}"));
        }
    }
}
