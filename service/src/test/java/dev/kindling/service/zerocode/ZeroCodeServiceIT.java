package dev.kindling.service.zerocode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration-only service, started three times with environment variables only — one per
 * pattern — each answering through its HTTP API; and the three walked side by side: the same
 * {@code /status} shape, the same metric naming, the same shutdown order.
 */
@KindlingSparkTest
@KindlingPostgresTest
@KindlingKafkaTest
class ZeroCodeServiceIT {
    private static final String LISTENING = "listening on http://[^:]+:(\\d+)";
    private static final List<String> STATUS_KEYS = List.of("service", "state", "since", "components");
    private static final List<String> COMPONENT_KEYS = List.of("pattern", "state", "since", "ready", "readiness", "lastError", "details");

    /** A forked {@code dev.kindling.service.Main} on local Spark and a free port of 127.0.0.1. */
    private static final class Service implements AutoCloseable {
        final ForkedJvm jvm;

        Service(Map<String, String> env) {
            jvm = ForkedJvm.builder("dev.kindling.service.Main").spark().jvmOptions("-Xmx1g").env(env)
                    .env("PORT", "0").env("KINDLING_HTTP_HOST", "127.0.0.1").env("SPARK_MASTER", "local[2]").start();
        }

        JsonHttp readyHttp() {
            JsonHttp http = new JsonHttp(Integer.parseInt(jvm.awaitLine(LISTENING, Duration.ofMinutes(2)).group(1)), null);
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/readyz").status() == 200);
            return http;
        }

        /** SIGTERM, then the lines the shutdown logged, with the service's name and times removed. */
        List<String> stop() {
            jvm.terminate();
            jvm.awaitExit(Duration.ofSeconds(60));
            return jvm.lines().stream().filter(l -> l.contains("ShutdownSequence:"))
                    .map(l -> l.substring(l.indexOf("ShutdownSequence:") + "ShutdownSequence:".length()).trim())
                    .map(l -> l.replaceAll("^\\S+", "SERVICE").replaceAll("\\d+ request\\(s\\)", "N request(s)"))
                    .toList();
        }

        @Override
        public void close() {
            jvm.close();
        }
    }

    private record Walk(JsonNode status, String metrics, List<String> shutdown) {
    }

    private static Walk walk(Service s, JsonHttp http) throws Exception {
        return new Walk(http.get("/status").json(), http.get("/metrics").body(), s.stop());
    }

    @Test
    void threePatternsFromConfigurationAloneAnswerAndLookAlike(SparkSession spark, PostgresDatabase db, KafkaBroker kafka,
                                                                @TempDir Path dir) throws Exception {
        // on-demand: SQL over Parquet
        Path sales = dir.resolve("sales");
        spark.sql("SELECT * FROM VALUES ('north', 10), ('south', 5), ('north', 7) AS t(region, amount)")
                .write().parquet(sales.toString());
        Walk ondemand;
        try (Service s = new Service(Map.of("KINDLING_PATTERN", "ondemand", "KINDLING_SERVICE_NAME", "sales",
                "KINDLING_ONDEMAND_JOB_NAME", "totals", "KINDLING_ONDEMAND_JOB_SOURCE", "file:" + sales + "?format=parquet",
                "KINDLING_ONDEMAND_JOB_SQL", "SELECT region, sum(amount) AS total FROM input GROUP BY region ORDER BY region"))) {
            JsonHttp http = s.readyHttp();
            JsonHttp.Response r = http.post("/jobs/totals?wait=60s", "{}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("result").get("rows").toString())
                    .isEqualTo("[{\"region\":\"north\",\"total\":17},{\"region\":\"south\",\"total\":5}]");
            ondemand = walk(s, http);
        }

        // continuous: JDBC to Parquet, incremental by id
        db.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT, amount INT)");
        db.update("INSERT INTO orders VALUES (1, 'ann', 3), (2, 'bob', 4), (3, 'cy', 5)");
        Path out = dir.resolve("orders-out");
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_PATTERN", "continuous", "KINDLING_SERVICE_NAME", "orders",
                "KINDLING_CONTINUOUS_NAME", "orders",
                "KINDLING_CONTINUOUS_SOURCE", db.jdbcUrl() + "?table=orders&user=" + db.user() + "&password.env=ORDERS_DB_PASSWORD",
                "KINDLING_CONTINUOUS_WATERMARK_COLUMN", "id",
                "KINDLING_CONTINUOUS_SINK", "file:" + out + "?format=parquet&perBatch=true",
                "KINDLING_CONTINUOUS_WATERMARK_STORE", "file:" + dir.resolve("orders.watermark"),
                "KINDLING_CONTINUOUS_INTERVAL", "1h", "ORDERS_DB_PASSWORD", db.password() == null ? "" : db.password()));
        Walk continuous;
        try (Service s = new Service(env)) {
            JsonHttp http = s.readyHttp();
            await().atMost(Duration.ofMinutes(2)).until(() ->
                    http.get("/status").json().at("/components/orders/details/cycles").asLong() >= 1);
            JsonHttp.Response cycle = http.post("/cycles?wait=60s", "");
            assertThat(cycle.status()).as(cycle.body()).isEqualTo(200);
            continuous = walk(s, http);
        }
        assertThat(spark.read().parquet(out.toString()).selectExpr("id", "customer", "amount").orderBy("id").collectAsList()
                .toString()).isEqualTo("[[1,ann,3], [2,bob,4], [3,cy,5]]");

        // streaming: Kafka to Kafka
        String in = kafka.createUniqueTopic("shout-in", 1);
        String outTopic = kafka.createUniqueTopic("shout-out", 1);
        String base = "kafka://" + kafka.bootstrapServers() + "/";
        Walk streaming;
        try (Service s = new Service(Map.of("KINDLING_PATTERN", "streaming", "KINDLING_SERVICE_NAME", "shout",
                "KINDLING_STREAMING_NAME", "shout", "KINDLING_STREAMING_SOURCE", base + in, "KINDLING_STREAMING_DECODE", "text",
                "KINDLING_STREAMING_SQL", "SELECT upper(value) AS value FROM input", "KINDLING_STREAMING_SINK", base + outTopic,
                "KINDLING_STREAMING_CHECKPOINT", dir.resolve("shout-checkpoint").toString(),
                "KINDLING_STREAMING_TRIGGER", "200ms"))) {
            JsonHttp http = s.readyHttp();
            kafka.produce(in, "1", "hello");
            kafka.produce(in, "2", "kindling");
            List<KafkaRecord> shouted = kafka.consume(outTopic, 2, Duration.ofMinutes(2));
            assertThat(shouted.stream().map(KafkaRecord::valueAsString).toList()).containsExactly("HELLO", "KINDLING");
            streaming = walk(s, http);
        }

        Map<String, Walk> walks = Map.of("ondemand", ondemand, "continuous", continuous, "streaming", streaming);
        Map<String, String> names = Map.of("ondemand", "sales", "continuous", "orders", "streaming", "shout");
        Map<String, String> components = Map.of("ondemand", "totals", "continuous", "orders", "streaming", "shout");
        walks.forEach((pattern, w) -> {
            assertThat(fields(w.status())).as(pattern).isEqualTo(STATUS_KEYS);
            assertThat(w.status().get("service").asText()).isEqualTo(names.get(pattern));
            JsonNode component = w.status().get("components").elements().next();
            assertThat(fields(component)).as(pattern).isEqualTo(COMPONENT_KEYS);
            assertThat(component.get("pattern").asText()).isEqualTo(pattern);
            assertThat(component.get("details").isObject()).isTrue();
            List<String> own = w.metrics().lines().filter(l -> l.startsWith("kindling_")).toList();
            assertThat(own).as(pattern + " has meters").isNotEmpty();
            assertThat(own).as(pattern).allMatch(l -> l.startsWith("kindling_" + pattern + "_"))
                    .allMatch(l -> l.contains("service=\"" + names.get(pattern) + "\"")).allMatch(l -> l.contains("pipeline=\""));
            assertThat(w.shutdown()).as(pattern).containsExactly(
                    "SERVICE shutting down: draining N request(s) in flight; deadline PT30S",
                    "SERVICE stopped component " + components.get(pattern),
                    "SERVICE stopped Spark",
                    "SERVICE shut down");
        });
    }

    private static List<String> fields(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
