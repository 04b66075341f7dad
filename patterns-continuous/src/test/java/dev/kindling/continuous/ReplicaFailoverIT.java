package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of one continuous service ({@link ReplicaRunnerMain}) in JVMs of their own, on one
 * PostgreSQL database: one leads, the other stands by and names it; the leader is halted between the
 * sink's commit and the watermark's, and the standby takes over within two lease ttls and publishes
 * the lost batch again, so the output holds every row exactly once.
 */
@KindlingPostgresTest
class ReplicaFailoverIT {
    private static final String LISTENING = "listening on http://127\\.0\\.0\\.1:(\\d+)";
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final Duration STARTUP = Duration.ofSeconds(150);

    @TempDir
    Path tmp;

    private static ForkedJvm replica(PostgresDatabase db, String id, Path marker) {
        return ForkedJvm.builder(ReplicaRunnerMain.class).spark()
                .jvmOptions("-Xmx768m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
                .args(db.jdbcUrl(), db.user(), db.password(), id, "2s", marker.toString())
                .start();
    }

    private static JsonNode details(JsonHttp http) {
        return http.get("/status").json().at("/components/" + ReplicaRunnerMain.PIPELINE + "/details");
    }

    @Test
    void aStandbyTakesOverFromAKilledLeaderWithinTwoTtlsAndNothingIsLostOrPublishedTwice(PostgresDatabase db) {
        db.execute("CREATE TABLE replica_events (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.execute("CREATE TABLE replica_out (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
        for (String w : List.of("a", "b", "c", "d", "e")) {
            db.update("INSERT INTO replica_events (word) VALUES (?)", w);
        }
        Path marker = tmp.resolve("halted");
        try (ForkedJvm a = replica(db, "replica-a", marker); ForkedJvm b = replica(db, "replica-b", marker)) {
            JsonHttp httpA = new JsonHttp(Integer.parseInt(a.awaitLine(LISTENING, STARTUP).group(1)), null);
            JsonHttp httpB = new JsonHttp(Integer.parseInt(b.awaitLine(LISTENING, STARTUP).group(1)), null);
            // one leads and has published the first five rows as batch 0; the other knows it
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                JsonNode da = details(httpA);
                JsonNode db2 = details(httpB);
                JsonNode leading = da.path("role").asText().equals("leader") ? da : db2;
                JsonNode standing = leading == da ? db2 : da;
                return leading.path("role").asText().equals("leader") && standing.path("role").asText().equals("standby")
                        && standing.path("leader").asText().equals(leading.path("replica").asText())
                        && leading.at("/committed/batchId").asLong(-1) == 0;
            });
            boolean aLeads = details(httpA).get("role").asText().equals("leader");
            ForkedJvm leader = aLeads ? a : b;
            String leaderId = aLeads ? "replica-a" : "replica-b";
            String standbyId = aLeads ? "replica-b" : "replica-a";
            JsonHttp standby = aLeads ? httpB : httpA;

            JsonNode before = details(standby);
            assertThat(List.of(before.get("role").asText(), before.get("replica").asText(), before.get("leader").asText(),
                    before.get("cycles").asLong())).containsExactly("standby", standbyId, leaderId, 0L);
            assertThat(before.get("nextCycleAt").isNull()).isTrue();
            assertThat(standby.get("/readyz").status()).isEqualTo(200);
            assertThat(standby.get("/metrics").body()).containsPattern("(?m)^kindling_continuous_leader\\{[^}]*pipeline=\"replicated\"[^}]*} 0\\.0$");
            JsonHttp.Response refused = standby.post("/cycles", "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(List.of(refused.json().get("title").asText(), refused.json().get("detail").asText(), refused.json().get("leader").asText()))
                    .containsExactly("Not the leader", "continuous runner 'replicated' is a standby replica; the leader, which runs the "
                            + "cycles, is " + leaderId + ": ask it, or retry once this replica leads", leaderId);

            // two more rows: the leader publishes them as batch 1 and dies before committing the watermark
            db.update("INSERT INTO replica_events (word) VALUES (?)", "f");
            db.update("INSERT INTO replica_events (word) VALUES (?)", "g");
            assertThat(leader.awaitExit(Duration.ofSeconds(120))).as(leader.output()).isEqualTo(137);
            long gone = System.nanoTime();
            assertThat(leader.output()).contains(leaderId + " published batch 1; halting before the watermark commit");
            assertThat(db.queryForList("SELECT batch_id FROM kindling_watermarks")).containsExactly(Map.of("batch_id", 0L));

            await().atMost(TTL.multipliedBy(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> details(standby).get("role").asText().equals("leader"));
            Duration takeover = Duration.ofNanos(System.nanoTime() - gone);
            assertThat(takeover).as("from the leader's death to the standby's lead").isLessThanOrEqualTo(TTL.multipliedBy(2));

            await().atMost(Duration.ofSeconds(60)).until(() -> details(standby).at("/committed/batchId").asLong(-1) == 1);
            JsonNode after = details(standby);
            assertThat(List.of(after.get("role").asText(), after.get("leader").asText(), after.at("/lastCycle/outcome").asText(),
                    after.at("/lastCycle/rowsWritten").asLong())).containsExactly("leader", standbyId, "PUBLISHED", 2L);
        }
        assertThat(db.queryForList("SELECT id, word FROM replica_out ORDER BY id").stream().map(r -> r.get("id") + ":" + r.get("word")).toList())
                .containsExactly("1:a", "2:b", "3:c", "4:d", "5:e", "6:f", "7:g");
        assertThat(db.queryForList("SELECT pipeline, batch_id, watermark FROM kindling_watermarks"))
                .containsExactly(Map.of("pipeline", "replicated", "batch_id", 1L, "watermark", "LONG:7"));
    }
}
