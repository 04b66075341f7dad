package dev.kindling.streaming;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Processor;
import dev.kindling.service.ControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The service {@link KillRestartIT} runs in a forked JVM and kills: a word count from Kafka into a
 * queryable table and, through a JDBC upsert, into PostgreSQL, a few records per micro-batch.
 *
 * <p>Arguments: bootstrap servers, topic, checkpoint folder, JDBC URL, user, password, port file.
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
        StreamingRunner table = StreamingRunner.builder("table")
                .source(c.source(kafka)).decoder(RecordDecoder.text()).process(Processor.sql(sql))
                .sink(c.sink("table:counts?keys=word")).checkpoint(checkpoint + "/table")
                .trigger(StreamTrigger.asFastAsPossible()).build();
        StreamingRunner jdbc = StreamingRunner.builder("jdbc")
                .source(c.source(kafka)).decoder(RecordDecoder.text()).process(Processor.sql(sql))
                .sink(c.sink(args[3], Map.of("table", "word_counts", "mode", "upsert", "keys", "word", "user", args[4], "password", args[5])))
                .checkpoint(checkpoint + "/jdbc")
                .trigger(StreamTrigger.asFastAsPossible()).build();
        ControlPlane plane = ControlPlane.builder("restart-child")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "5s")))
                .routes(StreamingRoutes.of(List.of(table, jdbc), 100))
                .readiness("table", table::isReady)
                .readiness("jdbc", jdbc::isReady)
                .onShutdown("spark", spark::stop)
                .onShutdown("table", table::stop)
                .onShutdown("jdbc", jdbc::stop)
                .build();
        table.bindTo(plane.meterRegistry());
        jdbc.bindTo(plane.meterRegistry());
        table.start(spark);
        jdbc.start(spark);
        plane.start();
        plane.installShutdownHook();
        Path portFile = Path.of(args[6]);
        Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".tmp"), Integer.toString(plane.port()));
        Files.move(portFile.resolveSibling(portFile.getFileName() + ".tmp"), portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("child ready on port " + plane.port());
        plane.awaitShutdown();
        System.out.println("child stopped gracefully");
    }
}
