package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shutdown deadline holds when the broker is gone: the broker a runner reads is killed with
 * {@code kill -9} first, then a service in this JVM shuts down with a short grace and returns, and a
 * service in a JVM of its own gets SIGTERM and exits.
 */
@KindlingSparkTest
class BrokerGoneShutdownIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void aServiceWhoseBrokerWasKilledShutsDownByItsDeadline(SparkSession spark) throws Exception {
        Process child = null;
        try (KafkaBroker victim = KafkaBroker.start()) {
            String topic = victim.createUniqueTopic("doomed", 1);
            List<KafkaMessage> lines = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                lines.add(KafkaMessage.of(null, "w" + (i % 4)));
            }
            victim.produce(topic, lines);
            child = RestartChildren.launch(tmp, 1, victim.bootstrapServers(), topic, tmp.resolve("child-cp").toString(),
                    tmp.resolve("port").toString(), "3s");
            StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("doomed")
                            // Kafka's timeouts shortened (still longer than the grace) so that the query left behind ends
                            // soon after the test, and does not linger in the shared SparkSession.
                            .source(Connectors.builtIn().source("kafka://" + victim.bootstrapServers() + "/" + topic,
                                    Map.of("kafka.default.api.timeout.ms", "10000", "kafka.request.timeout.ms", "5000")))
                            .decoder(RecordDecoder.text())
                            .process(Processor.sql(StreamingRunnerIT.WORD_COUNT))
                            .sink(Connectors.builtIn().sink("table:doomed_counts?keys=word"))
                            .build())
                    .checkpoint(tmp.resolve("cp").toString())
                    .trigger(StreamTrigger.every(Duration.ofMillis(200)))
                    .lagInterval(Duration.ofMillis(200))
                    .build();
            KindlingService service = KindlingService.builder("doomed").spark(spark)
                    .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "3s")))
                    .component(runner).start();
            int childPort = RestartChildren.awaitPort(child, tmp.resolve("port"), RestartChildren.log(tmp, 1), TIMEOUT);
            JsonHttp childHttp = new JsonHttp(childPort, null);
            await().atMost(TIMEOUT).until(() -> runner.details().lastBatchId() >= 0
                    && childHttp.get("/status").json().at("/components/table/details/lastBatchId").asLong(-1) >= 0);

            ProcessHandle broker = ProcessHandle.of(victim.pid()).orElseThrow();
            broker.destroyForcibly(); // kill -9: the broker is gone, its clients get no answer
            broker.onExit().get(30, TimeUnit.SECONDS);

            child.toHandle().destroy(); // SIGTERM to the forked service
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(service::shutdown);
            await().atMost(TIMEOUT).until(shutdown::isDone);
            shutdown.get();
            assertThat(service.overran()).isSubsetOf("component doomed");
            assertThat(service.status().state()).isEqualTo(ComponentState.STOPPED);
            assertThat(child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the forked service exits").isTrue();
            assertThat(Files.readString(RestartChildren.log(tmp, 1))).contains("restart-child shut down");
            // Cleanup, not an assertion: the query left behind in the shared session ends once Kafka's timeouts pass.
            await().atMost(TIMEOUT).until(() -> spark.streams().active().length == 0);
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            Path log = RestartChildren.log(tmp, 1);
            if (Files.exists(log)) {
                System.out.println("--- the forked service's output:\n" + Files.readString(log));
            }
        }
    }
}
