package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose lease is taken from under it (another holder's row in the lease table) stops its query at
 * once and becomes a ready standby whose table answers 503 naming the new holder; once the lease is free
 * again it leads again, resumes from the checkpoint with exact counts, and gives the lease up when it stops.
 */
@KindlingSparkTest
@KindlingKafkaTest
@KindlingPostgresTest
class LeaseLostIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void aLeaderThatLosesItsLeaseStopsItsQueryServesNoTableAndLeadsAgainWhenTheLeaseIsFree(SparkSession spark, KafkaBroker kafka,
                                                                                          PostgresDatabase db) {
        String topic = kafka.createUniqueTopic("lease-words", 1);
        kafka.produce(topic, lines(20, "w%d all"));
        String checkpoint = tmp.resolve("checkpoint").toString();
        JdbcLease lease = JdbcLease.builder(new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password())), "streaming/" + checkpoint)
                .holder("replica-x").ttl(Duration.ofSeconds(1)).build();
        StreamingRunner runner = StreamingRunner.builder(StreamingRunnerIT.wordCount("lost", "kafka://" + kafka.bootstrapServers() + "/" + topic)
                        .sink(Connectors.builtIn().sink("table:lost_counts?keys=word")).build())
                .checkpoint(checkpoint).trigger(StreamTrigger.every(Duration.ofMillis(200))).lease(lease).build();
        try (KindlingService service = KindlingService.builder("lease-lost").spark(spark).component(runner)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s")))
                .start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            Map<String, Long> first = new TreeMap<>(Map.of("w0", 4L, "w1", 4L, "w2", 4L, "w3", 4L, "w4", 4L, "all", 20L));
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(table(http)).isEqualTo(first));
            assertThat(replica(http).path("role").asText()).isEqualTo("leader");
            assertThat(replica(http).path("leader").asText()).isEqualTo("replica-x");

            // another holder takes the lease: the runner's next renewal fails, and it steps down at once
            db.update("UPDATE kindling_leases SET holder = 'thief', token = token + 1, expires_at = now() + interval '1 hour'");
            await().atMost(TIMEOUT).until(() -> replica(http).path("role").asText() + " " + replica(http).path("leader").asText(),
                    "standby thief"::equals);
            await().atMost(TIMEOUT).until(() -> !running(spark, "lost"));
            JsonHttp.Response standby = http.get("/tables/lost_counts");
            assertThat(standby.status()).isEqualTo(503);
            assertThat(standby.header("Retry-After")).isEqualTo("1");
            assertThat(standby.json().path("leader").asText()).isEqualTo("thief");
            assertThat(http.get("/readyz").status()).isEqualTo(200);
            assertThat(http.get("/metrics").body()).contains("kindling_streaming_leader{pipeline=\"lost\",service=\"lease-lost\"} 0.0");
            kafka.produce(topic, lines(10, "w%d late"));

            // the lease runs out: the runner takes it again and resumes from the checkpoint
            db.update("UPDATE kindling_leases SET expires_at = now() - interval '1 second'");
            Map<String, Long> all = new TreeMap<>(Map.of("w0", 6L, "w1", 6L, "w2", 6L, "w3", 6L, "w4", 6L, "all", 20L, "late", 10L));
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(table(http)).isEqualTo(all));
            JsonNode again = replica(http);
            assertThat(again.path("role").asText()).isEqualTo("leader");
            assertThat(again.path("elections").asLong()).isEqualTo(2);
            assertThat(http.get("/status").json().at("/components/lost/state").asText()).isEqualTo("RUNNING");
        }
        // stopping gave the lease up
        assertThat(db.queryForList("SELECT holder, token, expires_at < now() AS released FROM kindling_leases"))
                .containsExactly(Map.of("holder", "replica-x", "token", 3L, "released", true));
        assertThat(running(spark, "lost")).isFalse();
    }

    private static boolean running(SparkSession spark, String name) {
        for (StreamingQuery q : spark.streams().active()) {
            if (name.equals(q.name())) {
                return true;
            }
        }
        return false;
    }

    private static List<KafkaMessage> lines(int n, String format) {
        List<KafkaMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(KafkaMessage.of(null, String.format(format, i % 5)));
        }
        return out;
    }

    private static JsonNode replica(JsonHttp http) {
        return http.get("/status").json().at("/components/lost/details/replica");
    }

    private static Map<String, Long> table(JsonHttp http) {
        Map<String, Long> out = new TreeMap<>();
        JsonHttp.Response r = http.get("/tables/lost_counts?limit=100");
        if (r.status() == 200) {
            r.json().forEach(n -> out.put(n.get("word").asText(), n.get("count").asLong()));
        }
        return out;
    }
}
