package dev.kindling.continuous;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.KindlingService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One replica of a continuous service, run in a forked JVM by {@link ReplicaFailoverIT}: JDBC source
 * {@code replica_events} → JDBC upsert sink {@code replica_out} by {@code id} → JDBC watermark store,
 * all in one PostgreSQL database, cycles every 300 ms, HTTP on a free port of 127.0.0.1.
 *
 * <p>Arguments: JDBC URL, user, password, replica id, lease ttl (as settings are written, {@code 2s}),
 * and a marker file: the first replica (of all that share the marker) to publish batch 1 creates it
 * and halts its JVM right after the sink's commit and before the watermark's (exit 137, no shutdown
 * hook: a kill -9 between publish and commit); a replica that finds the marker there goes on.
 */
public final class ReplicaRunnerMain {
    static final String PIPELINE = "replicated";
    static final long HALT_BATCH = 1;

    private ReplicaRunnerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 6) {
            throw new IllegalArgumentException("arguments: jdbcUrl user password replicaId ttl markerFile; got " + args.length);
        }
        String url = args[0];
        String credentials = "user=" + args[1] + "&password=" + args[2];
        Path marker = Path.of(args[5]);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("replica-" + args[3])
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        Connectors c = Connectors.builtIn();
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name(PIPELINE)
                .source(c.source(url + "?table=replica_events&watermarkColumn=id&" + credentials))
                .process(Processor.sql("SELECT id, word FROM input"))
                .sink(c.sink(url + "?table=replica_out&mode=upsert&keys=id&" + credentials))
                .build();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline)
                .watermarkStore(JdbcWatermarkStore.builder(new JdbcEndpoint(url, args[1], Secret.of(args[2])), PIPELINE).build())
                .interval(Duration.ofMillis(300))
                .leaseTtl(Setting.parseDuration(args[4]))
                .replicaId(args[3])
                .listener(new CycleListener() {
                    @Override
                    public void afterPublish(long batchId, CommittedBatch pending) {
                        if (batchId == HALT_BATCH && claim(marker)) {
                            System.out.println(args[3] + " published batch " + batchId + "; halting before the watermark commit");
                            System.out.flush();
                            Runtime.getRuntime().halt(137);
                        }
                    }
                })
                .build();
        KindlingService.builder("replicas")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s")))
                .spark(spark)
                .component(runner)
                .run();
    }

    /** Whether this replica is the first to get here: it created the marker. */
    private static boolean claim(Path marker) {
        try {
            Files.createFile(marker);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
