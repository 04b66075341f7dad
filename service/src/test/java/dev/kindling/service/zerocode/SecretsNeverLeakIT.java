package dev.kindling.service.zerocode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known secrets put into every place a service takes one — the bearer token, a JDBC password inline in a source's
 * URI and through {@code password.env}, the job store's password setting, a watermark store's URI, a Kafka JAAS
 * configuration — and every component driven into failure with them: a job whose database is away, a job store
 * that cannot be reached, cycles against a database that does not exist, a watermark store on a closed port, a
 * stream whose broker refuses the login. Then every line the service JVMs wrote (their log configuration is the
 * shipped one, through the redactor), every HTTP answer (status, readiness, jobs, job errors, metrics, problems)
 * and every exit message is searched for each secret.
 */
@KindlingPostgresTest
class SecretsNeverLeakIT {
    private static final String LISTENING = "listening on http://[^:]+:(\\d+)";
    private static final String TOKEN = "tok-Qw7Zr9Lk2Xv";
    private static final String INLINE = "inl-Pq8Nm3Sd6Wt";
    private static final String FROM_ENV = "env-Hj5Ty1Ub4Ec";
    private static final String STORE = "sto-Gf2Dk7Rl9Ov";
    private static final String WATERMARKS = "wmk-Bn6Cx3Zm8Ay";
    private static final String JAAS = "jas-Vt4Wq9Ep1Ks";
    private static final List<String> SECRETS = List.of(TOKEN, INLINE, FROM_ENV, STORE, WATERMARKS, JAAS);

    private static ForkedJvm service(Map<String, String> env) {
        return ForkedJvm.builder("dev.kindling.service.Main").spark().jvmOptions("-Xmx1g").env(env)
                .env("PORT", "0").env("KINDLING_HTTP_HOST", "127.0.0.1").env("SPARK_MASTER", "local[2]")
                .env("KINDLING_AUTH_TOKEN", TOKEN).start();
    }

    private static JsonHttp http(ForkedJvm jvm) {
        return new JsonHttp(Integer.parseInt(jvm.awaitLine(LISTENING, Duration.ofMinutes(2)).group(1)), TOKEN);
    }

    /** Everything a caller and an operator can read: the answers given, then the JVM's output after a SIGTERM. */
    private static String stopAndCollect(ForkedJvm jvm, List<String> answers) {
        jvm.terminate();
        jvm.awaitExit(Duration.ofSeconds(60));
        return String.join("\n", answers) + "\n" + jvm.output();
    }

    /** Waits until the component reports an error in {@code /status}; fails with the JVM's output otherwise. */
    private static void awaitLastError(ForkedJvm jvm, JsonHttp http, String component) {
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/status").json().at("/components/" + component + "/lastError")
                    .isObject());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(component + " reported no error in 2 minutes; its output:\n" + jvm.output(), e);
        }
    }

    private static void assertNoSecretIn(String what, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as(what + " must not hold the secret " + secret).doesNotContain(secret);
        }
    }

    @Test
    void onDemandJobsAndTheirStoreFailWithoutRevealingAPassword(PostgresDatabase db) {
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_PATTERN", "ondemand", "KINDLING_SERVICE_NAME", "leaky",
                "KINDLING_ONDEMAND_JOB_NAME", "orders",
                // a database that is away (port 1), with the password inline in the URI
                "KINDLING_ONDEMAND_JOB_SOURCE", "jdbc:postgresql://127.0.0.1:1/shop?table=orders&user=app&password=" + INLINE,
                "KINDLING_ONDEMAND_JOB_SQL", "SELECT count(*) AS n FROM input"));
        List<String> answers = new ArrayList<>();
        try (ForkedJvm jvm = service(env)) {
            JsonHttp http = http(jvm);
            // the job service itself gets ready; the database its job reads is away, and readiness says so
            await().atMost(Duration.ofMinutes(2)).until(() -> http.get("/readyz").json().at("/checks/orders").asText().equals("ready"));
            JsonHttp.Response readyz = http.get("/readyz");
            answers.add(readyz.body());
            assertThat(readyz.status()).as(readyz.body()).isEqualTo(503);
            assertThat(readyz.json().get("checks").get("database jdbc:postgresql://127.0.0.1:1/shop").asText())
                    .startsWith("not ready: cannot connect to jdbc:postgresql://127.0.0.1:1/shop");
            JsonHttp.Response job = http.post("/jobs/orders?wait=60s", "{}");
            answers.add(job.body());
            assertThat(job.json().path("state").asText()).as(job.body()).isEqualTo("FAILED");
            assertThat(job.json().at("/error/message").asText()).as("the failure is explained").isNotBlank();
            answers.add(http.get("/jobs/" + job.json().get("id").asText()).body());
            answers.add(http.get("/jobs").body());
            answers.add(http.get("/status").body());
            answers.add(http.get("/metrics").body());
            answers.add(http.withoutToken().get("/status").body());
            assertNoSecretIn("the on-demand service's output", stopAndCollect(jvm, answers));
        }

        // the job store on a closed port, its password from the store setting
        env.put("KINDLING_ONDEMAND_STORE_URL", "jdbc:postgresql://127.0.0.1:1/jobs");
        env.put("KINDLING_ONDEMAND_STORE_USER", "app");
        env.put("KINDLING_ONDEMAND_STORE_PASSWORD", STORE);
        env.put("KINDLING_ONDEMAND_JOB_SOURCE", "jdbc:postgresql://127.0.0.1:" + db.port() + "/" + db.databaseName()
                + "?table=orders&user=" + db.user() + "&password.env=SHOP_PASSWORD");
        env.put("SHOP_PASSWORD", FROM_ENV);
        try (ForkedJvm jvm = service(env)) {
            // a job store that cannot be reached at start ends the process (exit status 1) after one error line
            assertThat(jvm.awaitExit(Duration.ofMinutes(2))).isEqualTo(1);
            String output = jvm.output();
            assertThat(output).as("the store's failure is told").contains("could not start: cannot connect to jdbc:postgresql://127.0.0.1:1/jobs");
            assertNoSecretIn("the on-demand service with an unreachable store", output);
        }
    }

    @Test
    void continuousCyclesAndTheirWatermarkStoreFailWithoutRevealingAPassword(PostgresDatabase db, @TempDir Path dir) {
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_PATTERN", "continuous", "KINDLING_SERVICE_NAME", "leaky",
                "KINDLING_CONTINUOUS_NAME", "orders",
                // a database that does not exist on a real server; the password through password.env
                "KINDLING_CONTINUOUS_SOURCE", "jdbc:postgresql://127.0.0.1:" + db.port() + "/no_such_db?table=orders&user="
                        + db.user() + "&password.env=SHOP_PASSWORD",
                "SHOP_PASSWORD", FROM_ENV,
                "KINDLING_CONTINUOUS_WATERMARK_COLUMN", "id",
                "KINDLING_CONTINUOUS_SINK", "file:" + dir.resolve("out") + "?format=parquet&perBatch=true",
                "KINDLING_CONTINUOUS_WATERMARK_STORE", "jdbc:postgresql://app:" + WATERMARKS + "@127.0.0.1:1/progress?password="
                        + WATERMARKS,
                "KINDLING_CONTINUOUS_INTERVAL", "1s"));
        List<String> answers = new ArrayList<>();
        try (ForkedJvm jvm = service(env)) {
            JsonHttp http = http(jvm);
            awaitLastError(jvm, http, "orders");
            answers.add(http.get("/status").body());
            answers.add(http.get("/readyz").body());
            answers.add(http.post("/cycles?wait=30s", "").body());
            answers.add(http.get("/metrics").body());
            String output = stopAndCollect(jvm, answers);
            assertThat(output).as("the failure is told").contains("no_such_db");
            assertNoSecretIn("the continuous service's output", output);
        }
    }

    @Test
    void aStreamWhoseBrokerRefusesTheLoginFailsWithoutRevealingThePassword(@TempDir Path dir) {
        try (KafkaBroker secured = KafkaBroker.startWithSaslPlain("kindling", "the-right-one")) {
            String topic = secured.createUniqueTopic("leaky-in", 1);
            String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"kindling\" password=\""
                    + JAAS + "\";";
            String source = "kafka://" + secured.bootstrapServers() + "/" + topic + "?kafka.security.protocol=SASL_PLAINTEXT"
                    + "&kafka.sasl.mechanism=PLAIN&kafka.sasl.jaas.config=" + URLEncoder.encode(jaas, StandardCharsets.UTF_8);
            Map<String, String> env = Map.of("KINDLING_PATTERN", "streaming", "KINDLING_SERVICE_NAME", "leaky",
                    "KINDLING_STREAMING_NAME", "shout", "KINDLING_STREAMING_SOURCE", source, "KINDLING_STREAMING_DECODE", "text",
                    "KINDLING_STREAMING_SQL", "SELECT upper(value) AS value FROM input",
                    "KINDLING_STREAMING_SINK", "file:" + dir.resolve("out") + "?format=json",
                    "KINDLING_STREAMING_CHECKPOINT", dir.resolve("checkpoint").toString(), "KINDLING_STREAMING_TRIGGER", "200ms");
            List<String> answers = new ArrayList<>();
            try (ForkedJvm jvm = service(env)) {
                JsonHttp http = http(jvm);
                secured.produce(topic, "1", "hello");
                awaitLastError(jvm, http, "shout");
                answers.add(http.get("/status").body());
                answers.add(http.get("/readyz").body());
                answers.add(http.get("/metrics").body());
                String output = stopAndCollect(jvm, answers);
                assertThat(output).as("the refused login is told").containsIgnoringCase("authentication");
                assertNoSecretIn("the streaming service's output", output);
            }
        }
    }
}
