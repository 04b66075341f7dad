package dev.kindling.examples.etl;

import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.CycleReport;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.crash.CrashPoints;
import dev.kindling.testkit.crash.HaltAtWrite;
import dev.kindling.testkit.crash.HaltBeforeCommit;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Run in a forked JVM by {@link EtlCrashIT}: the orders ETL in a service with a paused runner, and one
 * cycle, in a session whose file writes and checkpoint commits may halt the JVM at a named point (the
 * testkit's {@link CrashPoints#sparkSettings()}): {@link HaltAtWrite} (a write into a given folder
 * begins) or {@link HaltBeforeCommit} (a batch is about to be committed), each armed by its system
 * property.
 *
 * <p>Arguments: landing, output, quarantine and checkpoint folders.
 */
public final class EtlCrashMain {
    private EtlCrashMain() {
    }

    public static void main(String[] args) {
        SparkSession.Builder builder = SparkSession.builder().master("local[1]").appName("etl-crash")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1");
        CrashPoints.sparkSettings().forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        ContinuousRunner runner = OrdersEtl.builder(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]))
                .startPaused(true).build();
        KindlingService.builder("orders-etl")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .component(runner)
                .start();
        CycleReport report = runner.runOnce();
        System.out.println("the cycle ended without a crash: " + report);
        System.exit(3);
    }
}
