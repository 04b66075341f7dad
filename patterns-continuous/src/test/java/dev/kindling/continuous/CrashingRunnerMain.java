package dev.kindling.continuous;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.KindlingService;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Run in a forked JVM by {@link CrashRecoveryIT}: a service with a paused runner, and one cycle that
 * halts the JVM (exit 137, no shutdown hooks, like a kill -9) right after the sink committed and
 * before the watermark commit. Arguments: JDBC URL, user, password, output folder.
 */
public final class CrashingRunnerMain {
    private CrashingRunnerMain() {
    }

    static ContinuousRunner.Builder runner(String url, String user, String password, String out) {
        Connectors c = Connectors.builtIn();
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name("crashy")
                .source(c.source(url + "?table=crash_events&watermarkColumn=id&user=" + user + "&password=" + password))
                .process(Processor.sql("SELECT id, word FROM input"))
                .sink(c.sink("file:" + out + "?format=json&perBatch=true"))
                .build();
        return ContinuousRunner.builder(pipeline)
                .watermarkStore(JdbcWatermarkStore.builder(new JdbcEndpoint(url, user, Secret.of(password)), "crashy").build())
                .leaseTtl(Duration.ofSeconds(2)) // the restart waits for the halted JVM's lease to run out
                .startPaused(true);
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("crashy")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        ContinuousRunner runner = runner(args[0], args[1], args[2], args[3])
                .listener(new CycleListener() {
                    @Override
                    public void afterPublish(long batchId, CommittedBatch pending) {
                        System.out.println("published batch " + batchId + "; halting before the watermark commit");
                        System.out.flush();
                        Runtime.getRuntime().halt(137);
                    }
                })
                .build();
        KindlingService.builder("crashy")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .component(runner)
                .start();
        CycleReport report = runner.runOnce();
        System.out.println("the cycle ended without the crash: " + report);
        System.exit(3);
    }
}
