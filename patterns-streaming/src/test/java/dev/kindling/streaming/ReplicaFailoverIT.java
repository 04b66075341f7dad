package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.service.Main;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of one configuration-only word-count service ({@code dev.kindling.service.Main}), each in a JVM of
 * its own, on one checkpoint folder and one lease database. One leads, the other waits (ready, its table
 * answering 503 and naming the leader). The leader is killed with SIGKILL in the middle of the stream; the
 * standby takes the lease within two ttls and, once every line is produced, its table holds the exact counts.
 */
@KindlingKafkaTest
@KindlingPostgresTest
class ReplicaFailoverIT {
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String LISTENING = "listening on http://127\\.0\\.0\\.1:(\\d+)";

    @TempDir
    Path tmp;
    private final List<ForkedJvm> replicas = new ArrayList<>();

    @AfterEach
    void killReplicas() {
        replicas.forEach(ForkedJvm::close);

    }

    @Test
    void theStandbyTakesOverFromAKilledLeaderAndItsTableCountsEveryLineOnce(KafkaBroker kafka, PostgresDatabase db) throws Exception {
        String topic = kafka.createUniqueTopic("replica-words", 1);
        kafka.produce(topic, lines(100, "w%d all"));
        ForkedJvm first = replica(kafka, topic, db, "replica-a");
        ForkedJvm second = replica(kafka, topic, db, "replica-b");
        JsonHttp httpA = http(first);
        JsonHttp httpB = http(second);

        // one of them takes the lease and runs the query; the other is a ready standby that names it
        String leaderId = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> replica(httpA).path("role").asText() + " " + replica(httpB).path("role").asText(),
                        roles -> roles.equals("leader standby") || roles.equals("standby leader"))
                .startsWith("leader") ? "replica-a" : "replica-b";
        ForkedJvm leader = leaderId.equals("replica-a") ? first : second;
        JsonHttp leaderHttp = leaderId.equals("replica-a") ? httpA : httpB;
        JsonHttp standbyHttp = leaderId.equals("replica-a") ? httpB : httpA;
        String standbyId = leaderId.equals("replica-a") ? "replica-b" : "replica-a";
        await().atMost(TIMEOUT).until(() -> replica(standbyHttp).path("leader").asText(), leaderId::equals);
        assertStandby(standbyHttp, standbyId, leaderId);
        assertThat(leaderHttp.get("/readyz").status()).isEqualTo(200);
        assertThat(leaderHttp.get("/metrics").body()).contains("kindling_streaming_leader{pipeline=\"wordcount\",service=\"words\"} 1.0");

        // SIGKILL once the leader has committed two micro-batches of ten lines (of ten)
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> lastBatch(leaderHttp) >= 1);
        leader.kill();
        long killedAt = System.nanoTime();
        leader.awaitExit(Duration.ofSeconds(30));
        kafka.produce(topic, lines(50, "w%d all late"));

        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> replica(standbyHttp).path("leader").asText(), standbyId::equals);
        Duration leaseTaken = Duration.ofNanos(System.nanoTime() - killedAt);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> lastBatch(standbyHttp) >= 0);
        Duration firstBatch = Duration.ofNanos(System.nanoTime() - killedAt);
        Duration queryStart = firstBatch.minus(leaseTaken);
        System.out.printf("failover: lease taken %d ms after the kill, first micro-batch on the new leader %d ms after the kill "
                + "(query start and first batch %d ms; ttl %d ms)%n", leaseTaken.toMillis(), firstBatch.toMillis(), queryStart.toMillis(),
                TTL.toMillis());
        // the takeover is bounded by the lease (a dead leader's grant runs out within a ttl, a standby asks every ttl/3);
        // what follows is the new leader's query start, measured here, not bounded: it depends on the machine
        assertThat(leaseTaken).isLessThanOrEqualTo(TTL.multipliedBy(2));
        assertThat(firstBatch).isLessThanOrEqualTo(TTL.multipliedBy(2).plus(queryStart));

        Map<String, Long> expected = new TreeMap<>(Map.of("w0", 30L, "w1", 30L, "w2", 30L, "w3", 30L, "w4", 30L, "all", 150L,
                "late", 50L));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(table(standbyHttp)).isEqualTo(expected));
        JsonNode status = replica(standbyHttp);
        assertThat(status.path("role").asText()).isEqualTo("leader");
        assertThat(status.path("elections").asLong()).isEqualTo(1);
        assertThat(standbyHttp.get("/metrics").body()).contains("kindling_streaming_leader{pipeline=\"wordcount\",service=\"words\"} 1.0");

        // SIGTERM: the new leader stops its query, then gives the lease up
        ForkedJvm survivor = leader == first ? second : first;
        survivor.terminate();
        survivor.awaitExit(Duration.ofSeconds(60));
        assertThat(survivor.lines()).anyMatch(l -> l.contains("streaming runner 'wordcount' stopped")).noneMatch(l -> l.contains("overrun"));
        assertThat(db.queryForList("SELECT holder, token, expires_at < now() AS released FROM kindling_leases"))
                .containsExactly(Map.of("holder", standbyId, "token", 2L, "released", true));
    }

    /** A standby: ready, its status names the leader, its gauge is 0, and its table answers 503 with Retry-After naming the leader. */
    private static void assertStandby(JsonHttp standby, String standbyId, String leaderId) {
        JsonNode status = replica(standby);
        assertThat(status.path("role").asText()).isEqualTo("standby");
        assertThat(status.path("replicaId").asText()).isEqualTo(standbyId);
        assertThat(status.path("ttlMs").asLong()).isEqualTo(TTL.toMillis());
        assertThat(standby.get("/readyz").status()).isEqualTo(200);
        assertThat(standby.get("/metrics").body()).contains("kindling_streaming_leader{pipeline=\"wordcount\",service=\"words\"} 0.0");
        JsonHttp.Response table = standby.get("/tables/counts");
        assertThat(table.status()).isEqualTo(503);
        assertThat(table.header("Retry-After")).isEqualTo("1");
        assertThat(table.header("Content-Type")).startsWith("application/problem+json");
        assertThat(table.json().path("title").asText()).isEqualTo("Service Unavailable");
        assertThat(table.json().path("role").asText()).isEqualTo("standby");
        assertThat(table.json().path("leader").asText()).isEqualTo(leaderId);
        assertThat(table.json().path("detail").asText()).isEqualTo("streaming runner 'wordcount' is a standby replica (" + standbyId
                + "): its tables are served by the leader, " + leaderId + "; this replica takes over when that one's lease '"
                + status.path("lease").asText() + "' runs out");
        assertThat(status.path("lease").asText()).startsWith("streaming/").endsWith("/checkpoint");
    }

    private ForkedJvm replica(KafkaBroker kafka, String topic, PostgresDatabase db, String id) {
        Map<String, String> env = new HashMap<>(Map.of("KINDLING_HTTP_HOST", "127.0.0.1", "SPARK_MASTER", "local[2]",
                "KINDLING_SHUTDOWN_GRACE", "10s", "PORT", "0", "LEASE_DB_PASSWORD", db.password()));
        env.putAll(Map.of(
                "KINDLING_PATTERN", "streaming",
                "KINDLING_SERVICE_NAME", "words",
                "KINDLING_STREAMING_NAME", "wordcount",
                "KINDLING_STREAMING_SOURCE", "kafka://" + kafka.bootstrapServers() + "/" + topic + "?maxOffsetsPerTrigger=10",
                "KINDLING_STREAMING_DECODE", "text",
                "KINDLING_STREAMING_SQL", StreamingRunnerIT.WORD_COUNT,
                "KINDLING_STREAMING_SINK", "table:counts?keys=word",
                "KINDLING_STREAMING_CHECKPOINT", tmp.resolve("checkpoint").toString(),
                "KINDLING_STREAMING_TRIGGER", "fast"));
        env.putAll(Map.of(
                "KINDLING_STREAMING_LEASE_STORE", db.jdbcUrl() + "?user=" + db.user() + "&password.env=LEASE_DB_PASSWORD",
                "KINDLING_STREAMING_LEASE_TTL", TTL.toSeconds() + "s",
                "KINDLING_STREAMING_REPLICA_ID", id));
        ForkedJvm jvm = ForkedJvm.builder(Main.class).spark().jvmOptions("-Xmx768m", "-Dspark.sql.shuffle.partitions=2",
                "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1").env(env).start();
        replicas.add(jvm);
        return jvm;
    }

    private static JsonHttp http(ForkedJvm jvm) {
        return new JsonHttp(Integer.parseInt(jvm.awaitLine(LISTENING, TIMEOUT).group(1)), null);
    }

    private static List<KafkaMessage> lines(int n, String format) {
        List<KafkaMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(KafkaMessage.of(null, String.format(format, i % 5)));
        }
        return out;
    }

    private static JsonNode replica(JsonHttp http) {
        return http.get("/status").json().at("/components/wordcount/details/replica");
    }

    private static long lastBatch(JsonHttp http) {
        return http.get("/status").json().at("/components/wordcount/details/lastBatchId").asLong(-1);
    }

    private static Map<String, Long> table(JsonHttp http) {
        Map<String, Long> out = new TreeMap<>();
        http.get("/tables/counts?limit=100").json().forEach(n -> out.put(n.get("word").asText(), n.get("count").asLong()));
        return out;
    }
}
