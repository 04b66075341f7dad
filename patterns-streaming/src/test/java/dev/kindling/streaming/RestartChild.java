package dev.kindling.streaming;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.KindlingService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The service {@link KillRestartIT} and {@link BrokerGoneShutdownIT} run in a forked JVM: a word count
 * from Kafka into the queryable table {@code counts} (runner {@code table}) and, when a database is
 * given, through a JDBC upsert into PostgreSQL (runner {@code jdbc}), a few records per micro-batch,
 * in one {@link KindlingService} that SIGTERM shuts down.
 *
 * <p>Arguments: bootstrap servers, topic, checkpoint folder, port file, shutdown grace, and optionally
 * JDBC URL, user, password.
 */
public final class RestartChild {
    private RestartChild() {
    }

    public static void main(String[] args) throws Exception {
        String kafka = "kafka://" + args[0] + "/" + args[1] + "?maxOffsetsPerTrigger=10";
        String checkpoint = args[2];
        SparkSession spark = SparkSession.builder().master("local[2]").appName("restart-child")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        Connectors c = Connectors.builtIn();
        String sql = "SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word";
        StreamingRunner table = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("table")
                        .source(c.source(kafka)).decoder(RecordDecoder.text()).process(Processor.sql(sql))
                        .sink(c.sink("table:counts?keys=word")).build())
                .checkpoint(checkpoint + "/table").trigger(StreamTrigger.asFastAsPossible()).build();
        KindlingService.Builder b = KindlingService.builder("restart-child")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", args[4])))
                .spark(spark)
                .component(table);
        if (args.length > 5) {
            b.component(StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("jdbc")
                            .source(c.source(kafka)).decoder(RecordDecoder.text()).process(Processor.sql(sql))
                            .sink(c.sink(args[5], Map.of("table", "word_counts", "mode", "upsert", "keys", "word", "user", args[6],
                                    "password", args[7]))).build())
                    .checkpoint(checkpoint + "/jdbc").trigger(StreamTrigger.asFastAsPossible()).build());
        }
        KindlingService service = b.start().installShutdownHook();
        Path portFile = Path.of(args[3]);
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(service.port()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("child ready on port " + service.port());
        service.awaitShutdown();
    }
}
