package dev.kindling.examples.sparkpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.testkit.ReadmeCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.service.Json;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkClusterTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.SparkStandaloneCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SparkPi service as the README's standalone command starts it (run from the README's text): the app jar under
 * the real spark-submit with {@code --master spark://...} of a real standalone cluster. Its tasks run in executor
 * JVMs on the workers, and a seeded estimate is the same as on the embedded default (local Spark in this JVM).
 */
@KindlingSparkClusterTest
@KindlingSparkTest
class SparkPiOnTheClusterIT {
    @Test
    void theReadmeCommandServesOnTheWorkersWithTheEmbeddedDefaultsAnswer(SparkStandaloneCluster cluster, SparkSession local,
                                                                          @TempDir Path dir) throws Exception {
        int port = freePort();
        ProcessBuilder b = ReadmeCommand.of("standalone").process(cluster, dir).redirectOutput(dir.resolve("readme.log").toFile());
        b.environment().put("PORT", Integer.toString(port));
        b.environment().put("KINDLING_HTTP_HOST", "127.0.0.1");
        Process p = b.start();
        try {
            JsonHttp http = new JsonHttp(port, null);
            try {
                // a cold driver, executors asked for, the warm-up: about a minute on two busy cores
                await().atMost(Duration.ofMinutes(4)).ignoreExceptionsMatching(e -> !(e instanceof AssertionError)).until(() -> {
                    if (!p.isAlive()) {
                        throw new AssertionError("the README's command exited:\n" + Files.readString(dir.resolve("readme.log")));
                    }
                    return http.get("/readyz").status() == 200;
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("not ready: " + http.get("/readyz").body() + "\n" + Files.readString(dir.resolve("readme.log")), e);
            }
            JsonHttp.Response r = http.get("/sparkpi?samples=2000000&partitions=4&seed=42");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            SparkPi.Result expected = SparkPi.estimate(local, 2_000_000L, 4, 42L);
            assertThat(List.of(r.json().get("pi").asDouble(), r.json().get("samples").asLong(), r.json().get("partitions").asInt()))
                    .isEqualTo(List.of(expected.pi(), 2_000_000L, 4));
            assertThat(coresGranted(cluster)).as("executors on the workers ran the tasks").isPositive();
        } finally {
            p.toHandle().destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The cores the master granted to the running sparkpi application (spark-submit names it after its main class). */
    private static int coresGranted(SparkStandaloneCluster cluster) throws IOException {
        for (JsonNode app : Json.mapper().readTree(cluster.masterStatus()).get("activeapps")) {
            if (app.get("name").asText().equals(SparkPiApp.class.getName())) {
                return app.get("cores").asInt();
            }
        }
        throw new AssertionError("no active sparkpi application in " + cluster.masterStatus());
    }
}
