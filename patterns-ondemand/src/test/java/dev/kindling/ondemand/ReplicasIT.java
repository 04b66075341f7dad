package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of one on-demand service, each a JVM of its own with its own port, share one PostgreSQL job
 * store. 300 jobs are submitted round-robin; while every worker runs one, one replica is killed with SIGKILL.
 * Its two running jobs are claimed again once its leases have run out (two attempts allowed) and every job
 * ends; each execution of a job's code (recorded by the job in the table {@code executions}) matches one
 * attempt in the job's status, and every job resolves on both survivors.
 */
@KindlingPostgresTest
class ReplicasIT {
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final int JOBS = 300;

    @Test
    void killingAReplicaRequeuesItsJobsAndEveryJobEndsWithAnAttemptForEachRun(PostgresDatabase db) throws Exception {
        db.execute("CREATE TABLE executions (job_id TEXT NOT NULL, replica TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
        db.execute("CREATE TABLE latch (opened INT)");
        List<ForkedJvm> jvms = new ArrayList<>();
        try {
            for (String id : List.of("r0", "r1", "r2")) {
                jvms.add(ForkedJvm.builder(ReplicaMain.class).spark().jvmOptions("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                        .args(db.jdbcUrl(), db.user(), db.password(), id).start());
            }
            List<JsonHttp> http = new ArrayList<>();
            for (ForkedJvm jvm : jvms) {
                http.add(ready(jvm));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                JsonHttp.Response r = http.get(i % 3).post("/jobs/work", "{}");
                assertThat(r.status()).as(r.body()).isEqualTo(202);
                ids.add(r.json().get("id").asText());
            }
            // every worker of every replica runs one job and waits for the latch: two on each replica
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> count(db, "SELECT count(*) FROM executions") == 6);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("not every worker ran a job: " + db.queryForList("SELECT replica, count(*) FROM executions "
                        + "GROUP BY replica") + "; jobs by state and owner " + db.queryForList("SELECT state, owner, count(*) FROM "
                        + "kindling_jobs GROUP BY state, owner") + "\n" + jvms.stream().map(ForkedJvm::output)
                        .map(o -> o.substring(Math.max(0, o.length() - 6000))).collect(Collectors.joining("\n-----\n")), e);
            }
            assertThat(db.queryForList("SELECT replica, count(*) AS n FROM executions GROUP BY replica ORDER BY replica"))
                    .containsExactly(Map.of("replica", "r0", "n", 2L), Map.of("replica", "r1", "n", 2L), Map.of("replica", "r2", "n", 2L));
            Set<Object> lost = db.queryForList("SELECT job_id FROM executions WHERE replica = 'r0'").stream()
                    .map(row -> row.get("job_id")).collect(Collectors.toSet());

            jvms.get(0).kill();
            assertThat(jvms.get(0).awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
            long killedAt = System.nanoTime();
            db.execute("INSERT INTO latch VALUES (1)");

            // the dead replica's jobs run again once its leases have run out
            await().atMost(LEASE.plus(Duration.ofSeconds(10))).until(() -> count(db, "SELECT count(*) FROM kindling_jobs WHERE id IN ('"
                    + lost.stream().map(String::valueOf).collect(Collectors.joining("','")) + "') AND state = 'SUCCEEDED'") == 2);
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(LEASE.plus(Duration.ofSeconds(10)));
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> count(db,
                        "SELECT count(*) FROM kindling_jobs WHERE state IN ('SUCCEEDED','FAILED','CANCELLED')") == JOBS);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("not every job ended: " + db.queryForList("SELECT state, owner, count(*) FROM kindling_jobs "
                        + "GROUP BY state, owner") + "\n" + jvms.stream().map(ForkedJvm::output)
                        .map(o -> o.substring(Math.max(0, o.length() - 4000))).collect(Collectors.joining("\n-----\n")), e);
            }

            Map<String, List<String>> runs = new HashMap<>();
            for (Map<String, Object> row : db.queryForList("SELECT job_id, replica FROM executions ORDER BY at")) {
                runs.computeIfAbsent((String) row.get("job_id"), k -> new ArrayList<>()).add((String) row.get("replica"));
            }
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            for (String id : ids) {
                JsonNode one = http.get(1).get("/jobs/" + id).json();
                JsonHttp.Response other = http.get(2).get("/jobs/" + id);
                assertThat(other.status()).isEqualTo(200);
                assertThat(other.json().get("state")).isEqualTo(one.get("state"));
                assertThat(one.get("state").asText()).as(one.toString()).isEqualTo("SUCCEEDED");
                List<String> attempts = new ArrayList<>();
                List<String> outcomes = new ArrayList<>();
                one.get("attempts").forEach(a -> {
                    attempts.add(a.get("replica").asText());
                    outcomes.add(a.get("outcome").asText());
                });
                // each run of the job's code is one attempt, on the replica that recorded it
                assertThat(attempts).as(id).isEqualTo(runs.get(id));
                if (lost.contains(id)) {
                    assertThat(attempts).hasSize(2).startsWith("r0");
                    assertThat(outcomes).containsExactly("replica lost", "SUCCEEDED");
                    assertThat(one.get("result").get("replica").asText()).isIn("r1", "r2");
                } else {
                    assertThat(outcomes).containsExactly("SUCCEEDED");
                    assertThat(one.get("result").get("replica").asText()).isEqualTo(attempts.get(0));
                }
            }
            assertThat(http.get(2).get("/jobs?limit=5").json().get("total").asInt()).isEqualTo(JOBS);
            for (int i = 1; i < 3; i++) {
                jvms.get(i).terminate();
                assertThat(jvms.get(i).awaitExit(Duration.ofSeconds(60))).as(jvms.get(i).output()).isEqualTo(143);
            }
        } finally {
            jvms.forEach(ForkedJvm::close);
        }
    }

    private static JsonHttp ready(ForkedJvm jvm) {
        int port = Integer.parseInt(jvm.awaitLine("replica ready on port (\\d+)", START).group(1));
        JsonHttp http = new JsonHttp(port, null);
        await().atMost(START).until(() -> http.get("/readyz").status() == 200);
        return http;
    }

    private static long count(PostgresDatabase db, String sql) {
        return db.queryForObject(sql, Long.class);
    }
}
