package dev.kindling.service.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration-only service ({@code dev.kindling.service.Main}), once per pattern, each in a JVM
 * of its own with a token, against the hostile-input battery over real HTTP. Only 4xx or 429 answers,
 * and each answers a normal request correctly afterwards.
 *
 * <ul>
 *   <li>{@code ondemand}: the SQL job ignores its body, so {@code POST /jobs/NAME} is attacked as an
 *       action (bodies of every shape may pass, a 20 MB or non-JSON body and the token cases must not);
 *       {@code GET /NAME}, {@code /jobs}, {@code /jobs/ID}; 200 event streams of a job at once.</li>
 *   <li>{@code continuous}: the actions {@code /cycles?wait=}, {@code /resume}, {@code /pause} and
 *       {@code GET /status}. It has no event stream, so the battery opens none.</li>
 *   <li>{@code streaming}: the queryable table {@code /tables/counts} and {@code /status}; it takes no
 *       request bodies, so the body cases are sent as POSTs to the table's route, which must refuse
 *       them. It has no event stream, so the battery opens none.</li>
 * </ul>
 */
@KindlingSparkTest
@KindlingPostgresTest
@KindlingKafkaTest
class ConfigurationOnlyHostileInputsIT {
    private static final String TOKEN = "zero-code-hostile-t0ken";
    private static final String LISTENING = "listening on http://[^:]+:(\\d+)";
    private static final Duration START = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    /** A forked {@code dev.kindling.service.Main} on local Spark, 127.0.0.1 and a free port, with the token. */
    private static final class Service implements AutoCloseable {
        final ForkedJvm jvm;
        final int port;
        final JsonHttp http;

        Service(Map<String, String> env) {
            jvm = ForkedJvm.builder("dev.kindling.service.Main").spark().jvmOptions("-Xmx1g").env(env).env("PORT", "0")
                    .env("KINDLING_HTTP_HOST", "127.0.0.1").env("SPARK_MASTER", "local[2]").env("KINDLING_AUTH_TOKEN", TOKEN).start();
            port = Integer.parseInt(jvm.awaitLine(LISTENING, START).group(1));
            http = new JsonHttp(port, TOKEN);
            await().atMost(START).until(() -> http.get("/readyz").status() == 200);
        }

        HostileInputs battery() {
            return HostileInputs.against(port).token(TOKEN);
        }

        @Override
        public void close() {
            jvm.terminate();
            jvm.awaitExit(Duration.ofSeconds(60));
            jvm.close();
        }
    }

    @Test
    void onDemand(SparkSession spark) {
        Path sales = dir.resolve("sales");
        spark.sql("SELECT * FROM VALUES ('north', 10), ('south', 5), ('north', 7) AS t(region, amount)").write().parquet(sales.toString());
        String totals = "[{\"region\":\"north\",\"total\":17},{\"region\":\"south\",\"total\":5}]";
        try (Service s = new Service(Map.of("KINDLING_PATTERN", "ondemand", "KINDLING_SERVICE_NAME", "sales",
                "KINDLING_ONDEMAND_JOB_NAME", "totals", "KINDLING_ONDEMAND_JOB_SOURCE", "file:" + sales + "?format=parquet",
                "KINDLING_ONDEMAND_JOB_SQL", "SELECT region, sum(amount) AS total FROM input GROUP BY region ORDER BY region"))) {
            String id = finished(s.http).get("id").asText();

            List<String> violations = s.battery()
                    .action("/jobs/totals?wait=30s")
                    .get("/totals")
                    .get("/jobs?limit=5")
                    .get("/jobs/" + id)
                    .get("/status")
                    .stream("/jobs/" + id + "/events")
                    .healthyAfter("/jobs/" + id)
                    .run();
            assertThat(violations).isEmpty();

            assertThat(finished(s.http).get("result").get("rows").toString()).isEqualTo(totals);
            assertThat(s.http.get("/jobs/" + id).json().get("result").get("rows").toString()).isEqualTo(totals);
        }
    }

    /** Submits the job {@code totals} and polls it until it has ended; it must have succeeded. */
    private static JsonNode finished(JsonHttp http) {
        JsonHttp.Response accepted = http.post("/jobs/totals", "{}");
        assertThat(accepted.status()).as(accepted.body()).isIn(200, 202);
        String location = accepted.header("Location");
        await().atMost(START).until(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(http.get(location).json().get("state").asText()));
        JsonNode job = http.get(location).json();
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
        return job;
    }

    @Test
    void continuous(SparkSession spark, PostgresDatabase db) {
        db.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT, amount INT)");
        db.update("INSERT INTO orders VALUES (1, 'ann', 3), (2, 'bob', 4)");
        Path out = dir.resolve("orders-out");
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_PATTERN", "continuous", "KINDLING_SERVICE_NAME", "orders",
                "KINDLING_CONTINUOUS_NAME", "orders",
                "KINDLING_CONTINUOUS_SOURCE", db.jdbcUrl() + "?table=orders&user=" + db.user() + "&password.env=ORDERS_DB_PASSWORD",
                "KINDLING_CONTINUOUS_WATERMARK_COLUMN", "id",
                "KINDLING_CONTINUOUS_SINK", "file:" + out + "?format=parquet&perBatch=true",
                "KINDLING_CONTINUOUS_WATERMARK_STORE", "file:" + dir.resolve("orders.watermark"),
                "KINDLING_CONTINUOUS_INTERVAL", "1h", "KINDLING_CONTINUOUS_START_PAUSED", "true",
                "ORDERS_DB_PASSWORD", db.password() == null ? "" : db.password()));
        try (Service s = new Service(env)) {
            JsonNode first = requestedCycle(s.http);
            assertThat(List.of(first.get("outcome").asText(), first.get("rowsRead").asLong())).as(first.toString())
                    .containsExactly("PUBLISHED", 2L);

            List<String> violations = s.battery()
                    .action("/cycles?wait=30s")
                    .action("/resume")
                    .action("/pause")
                    .get("/status")
                    .healthyAfter("/status")
                    .run();
            assertThat(violations).isEmpty();

            // paused now: once the cycles the battery asked for have run, the next one reads the new row
            await().atMost(START).until(() -> s.http.post("/cycles?wait=50s", "").status() == 200);
            db.update("INSERT INTO orders VALUES (3, 'cy', 5)");
            JsonNode cycle = requestedCycle(s.http);
            assertThat(List.of(cycle.get("outcome").asText(), cycle.get("rowsRead").asLong())).as(cycle.toString())
                    .containsExactly("PUBLISHED", 1L);
        }
        assertThat(spark.read().parquet(out.toString()).selectExpr("id", "customer", "amount").orderBy("id").collectAsList()
                .toString()).isEqualTo("[[1,ann,3], [2,bob,4], [3,cy,5]]");
    }

    /** Asks for one cycle of the paused, idle runner and returns its report from {@code /status} (polled, not {@code ?wait=}). */
    private static JsonNode requestedCycle(JsonHttp http) {
        long before = http.get("/status").json().at("/components/orders/details/cycles").asLong();
        assertThat(http.post("/cycles", "").status()).isEqualTo(202);
        await().atMost(START).until(() -> http.get("/status").json().at("/components/orders/details/cycles").asLong() > before);
        return http.get("/status").json().at("/components/orders/details/lastCycle");
    }

    @Test
    void streaming(KafkaBroker kafka) {
        String in = kafka.createUniqueTopic("hostile-lines", 1);
        kafka.produce(in, "1", "the river and the stone");
        try (Service s = new Service(Map.of("KINDLING_PATTERN", "streaming", "KINDLING_SERVICE_NAME", "counter",
                "KINDLING_STREAMING_NAME", "counts", "KINDLING_STREAMING_SOURCE", "kafka://" + kafka.bootstrapServers() + "/" + in,
                "KINDLING_STREAMING_DECODE", "text",
                "KINDLING_STREAMING_SQL", "SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word",
                "KINDLING_STREAMING_SINK", "table:counts?keys=word",
                "KINDLING_STREAMING_CHECKPOINT", dir.resolve("counts-checkpoint").toString(), "KINDLING_STREAMING_TRIGGER", "500ms"))) {
            await().atMost(START).untilAsserted(() -> assertThat(s.http.get("/tables/counts?orderBy=word&limit=1").body())
                    .isEqualTo("[{\"word\":\"and\",\"count\":1}]"));

            List<String> violations = s.battery()
                    .get("/tables/counts?orderBy=word&desc=false&limit=2")
                    .get("/status")
                    .post("/tables/counts", "{\"limit\": 2, \"orderBy\": \"word\"}")
                    .healthyAfter("/tables/counts?orderBy=count&desc=true&limit=1")
                    .run();
            assertThat(violations).isEmpty();

            kafka.produce(in, "2", "stone stone river");
            await().atMost(START).untilAsserted(() -> assertThat(s.http.get("/tables/counts?orderBy=word").body())
                    .isEqualTo("[{\"word\":\"and\",\"count\":1},{\"word\":\"river\",\"count\":2},{\"word\":\"stone\",\"count\":3},"
                            + "{\"word\":\"the\",\"count\":2}]"));
        }
    }
}
