package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with the durable job store is killed with SIGKILL while one job runs and another waits;
 * a new JVM on the same store restarts. As the module documents: once the dead process's lease on the running
 * job has run out, it is saved FAILED ({@code replica lost}: one attempt by default) and not run again (at most
 * once), the waiting one runs once
 * after the restart (at least once), and each run left exactly one trace.
 */
@KindlingPostgresTest
class KillDuringJobIT {
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration JOB = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aJobRunningWhenTheProcessIsKilledIsFailedByTheRestartAndNeverRunTwice(PostgresDatabase db) throws Exception {
        Path runs = tmp.resolve("runs.log");
        String blocked;
        String waiting;
        long firstPid;
        try (ForkedJvm first = child(db).start()) {
            firstPid = first.pid();
            JsonHttp http = ready(first);
            blocked = http.post("/jobs/block", "{}").json().get("id").asText();
            await().atMost(JOB).until(() -> state(http, blocked).equals("RUNNING") && Files.exists(runs));
            waiting = http.post("/jobs/count", "{\"n\": 10}").json().get("id").asText();
            assertThat(state(http, waiting)).isEqualTo("QUEUED");
            assertThat(rows(db)).containsExactly(Map.of("id", blocked, "state", "RUNNING", "error_type", "-"),
                    Map.of("id", waiting, "state", "QUEUED", "error_type", "-"));

            first.kill();
            assertThat(first.awaitExit(Duration.ofSeconds(60))).isEqualTo(137);
        }
        // What the dead process left: one run of block, begun; count not begun; both unfinished in the store.
        assertThat(Files.readAllLines(runs)).containsExactly("block " + blocked + " pid " + firstPid);
        assertThat(rows(db)).containsExactly(Map.of("id", blocked, "state", "RUNNING", "error_type", "-"),
                Map.of("id", waiting, "state", "QUEUED", "error_type", "-"));

        // The file block waits for now exists: a restart that ran block again would end it at once, and leave a second line.
        Files.createFile(tmp.resolve("release"));
        try (ForkedJvm second = child(db).start()) {
            JsonHttp http = ready(second);
            await().atMost(JOB).until(() -> state(http, waiting).equals("SUCCEEDED") && state(http, blocked).equals("FAILED"));
            assertThat(http.get("/jobs/" + waiting).json().get("result").get("evens").asLong()).isEqualTo(5L);
            JsonNode interrupted = http.get("/jobs/" + blocked).json();
            assertThat(interrupted.get("state").asText()).isEqualTo("FAILED");
            assertThat(interrupted.get("error").get("type").asText()).isEqualTo("replica lost");
            assertThat(interrupted.get("attempts").size()).isEqualTo(1);
            assertThat(interrupted.get("attempts").get(0).get("outcome").asText()).isEqualTo("replica lost");
            assertThat(rows(db)).containsExactly(Map.of("id", blocked, "state", "FAILED", "error_type", "replica lost"),
                    Map.of("id", waiting, "state", "SUCCEEDED", "error_type", "-"));
            assertThat(Files.readAllLines(runs)).containsExactly("block " + blocked + " pid " + firstPid,
                    "count " + waiting + " pid " + second.pid());

            // The same job submitted anew runs in the new process and ends.
            String again = http.post("/jobs/block?wait=30s", "{}").json().get("id").asText();
            assertThat(state(http, again)).isEqualTo("SUCCEEDED");
            assertThat(Files.readAllLines(runs)).hasSize(3).endsWith("block " + again + " pid " + second.pid());

            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(143);
        }
        assertThat(db.queryForObject("SELECT count(*) FROM kindling_jobs WHERE state IN ('QUEUED','RUNNING')", Long.class)).isZero();
    }

    private ForkedJvm.Builder child(PostgresDatabase db) {
        return ForkedJvm.builder(KillableJobsMain.class).spark().jvmOptions("-Xmx1g")
                .args(db.jdbcUrl(), db.user(), db.password(), tmp.toString());
    }

    /** Waits for the child's port and readiness (its warm-up done); the client for its port. */
    private static JsonHttp ready(ForkedJvm jvm) {
        int port = Integer.parseInt(jvm.awaitLine("child ready on port (\\d+)", START).group(1));
        JsonHttp http = new JsonHttp(port, null);
        await().atMost(START).until(() -> http.get("/readyz").status() == 200);
        return http;
    }

    private static String state(JsonHttp http, String id) {
        return http.get("/jobs/" + id).json().get("state").asText();
    }

    private static List<Map<String, Object>> rows(PostgresDatabase db) {
        return db.queryForList("SELECT id, state, coalesce(error_type, '-') AS error_type FROM kindling_jobs ORDER BY submitted_at");
    }
}
