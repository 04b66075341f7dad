package dev.kindling.examples.etl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.CycleOutcome;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.crash.CrashPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders ETL halted at two named points, each in a JVM of its own: between the Parquet write and
 * the quarantine write of batch 0, then (restarted) between both writes and the checkpoint commit of
 * the same batch. A last restart leaves every good row once in the output and every bad row once in
 * the quarantine, the re-run batch holding the same files each time.
 */
@KindlingSparkTest
class EtlCrashIT {
    private static final Duration RUN = Duration.ofMinutes(3);
    private static final String SCHEMA = "does not match the schema (" + OrdersEtl.SCHEMA + ")";
    private static final List<String> ORDERS_0 = List.of("1|ada|12.5|2026-11-24|b0", "2|brian|7.25|2026-11-24|b0",
            "4|dora|19.99|2026-11-25|b0", "7|fay|1.0|2026-11-24|b0");
    private static final List<String> REJECTED_0 = List.of("a.csv|3,chen,not-a-number,2026-11-25|" + SCHEMA + "|b0",
            "a.csv|5,,3.0,2026-11-25|missing customer|b0", "a.csv|6,emil,-1.0,2026-11-25|negative amount|b0",
            "b.csv|8,gus,2.00|" + SCHEMA + "|b0");

    @TempDir
    Path tmp;

    @Test
    void haltedBetweenTheWritesAndBeforeTheCommitTheRestartsLeaveEveryRowOnce(SparkSession spark) throws Exception {
        Path landing = Files.createDirectories(tmp.resolve("landing"));
        Path out = tmp.resolve("orders");
        Path quarantine = tmp.resolve("quarantine");
        Path cp = tmp.resolve("checkpoint");
        Files.writeString(landing.resolve("a.csv"), EtlApp.SAMPLE);
        Files.writeString(landing.resolve("b.csv"), "order_id,customer,amount,order_date\n7,fay,1.00,2026-11-24\n8,gus,2.00\n");

        // Run 1 halts as the quarantine write of batch 0 begins: the Parquet of batch 0 is in place, nothing else.
        try (ForkedJvm first = child(landing, out, quarantine, cp)
                .jvmOptions(CrashPoints.haltAtWrite(quarantine.resolve("_tmp_batch_id=0_").toString())).start()) {
            assertThat(first.awaitExit(RUN)).as(first.output()).isEqualTo(CrashPoints.EXIT_CODE);
            assertThat(first.output()).contains("halting as the write to", "quarantine/_tmp_batch_id=0_");
        }
        assertThat(orders(spark, out)).containsExactlyElementsOf(ORDERS_0);
        assertThat(quarantine.resolve("batch_id=0")).doesNotExist();
        assertThat(names(cp.resolve("query/offsets"))).containsExactly("0");
        assertThat(cp.resolve("query/commits/0")).doesNotExist();

        // A file lands while the service is down: the re-run of batch 0 must not take it.
        Files.writeString(landing.resolve("c.csv"), "order_id,customer,amount,order_date\n9,hal,3.50,2026-11-26\nten,ida,1.0,2026-11-26\n");

        // Run 2 re-runs batch 0, writes both folders and halts before the checkpoint commit of batch 0.
        try (ForkedJvm second = child(landing, out, quarantine, cp).jvmOptions(CrashPoints.haltBeforeCommit(0)).start()) {
            assertThat(second.awaitExit(RUN)).as(second.output()).isEqualTo(CrashPoints.EXIT_CODE);
            assertThat(second.output()).contains("halting before the commit of batch 0");
        }
        assertThat(orders(spark, out)).containsExactlyElementsOf(ORDERS_0);
        assertThat(rejected(spark, quarantine)).containsExactlyElementsOf(REJECTED_0);
        assertThat(names(cp.resolve("query/offsets"))).containsExactly("0");
        assertThat(cp.resolve("query/commits/0")).doesNotExist();

        // Run 3 (no halt) re-runs batch 0 once more, then batch 1 with the new file, and commits both.
        ContinuousRunner third = OrdersEtl.builder(landing, out, quarantine, cp).startPaused(true).build();
        try (KindlingService service = KindlingService.builder("orders-etl")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark).component(third).start()) {
            assertThat(third.runOnce().outcome()).isEqualTo(CycleOutcome.PUBLISHED);
            assertThat(third.runOnce().outcome()).isEqualTo(CycleOutcome.IDLE);
        }
        assertThat(orders(spark, out)).containsExactlyElementsOf(concat(ORDERS_0, "9|hal|3.5|2026-11-26|b1"));
        assertThat(rejected(spark, quarantine)).containsExactlyElementsOf(concat(REJECTED_0, "c.csv|ten,ida,1.0,2026-11-26|" + SCHEMA + "|b1"));
        assertThat(names(cp.resolve("query/commits"))).containsExactly("0", "1");
        assertThat(names(out).stream().filter(n -> n.startsWith("batch_id="))).containsExactly("batch_id=0", "batch_id=1");
        assertThat(names(quarantine).stream().filter(n -> n.startsWith("batch_id="))).containsExactly("batch_id=0", "batch_id=1");
    }

    private static ForkedJvm.Builder child(Path landing, Path out, Path quarantine, Path cp) {
        return ForkedJvm.builder(EtlCrashMain.class).spark().jvmOptions("-Xmx1g")
                .args(landing.toString(), out.toString(), quarantine.toString(), cp.toString());
    }

    /** Every row of the Parquet output as id|customer|amount|date|bN, by id. */
    private static List<String> orders(SparkSession spark, Path out) {
        return spark.read().parquet(out.toString()).orderBy("order_id").collectAsList().stream()
                .map((Row r) -> r.getAs("order_id") + "|" + r.getAs("customer") + "|" + r.getAs("amount") + "|" + r.getAs("order_date")
                        + "|b" + r.getAs("batch_id"))
                .toList();
    }

    /** Every row of the quarantine as file|row|reason|bN, by file and row. */
    private static List<String> rejected(SparkSession spark, Path quarantine) {
        return spark.read().json(quarantine.toString()).orderBy("file", "row").collectAsList().stream()
                .map((Row r) -> r.getAs("file") + "|" + r.getAs("row") + "|" + r.getAs("reason") + "|b" + r.getAs("batch_id"))
                .toList();
    }

    private static List<String> concat(List<String> first, String last) {
        return Stream.concat(first.stream(), Stream.of(last)).toList();
    }

    /** The names in {@code dir} without hidden files, sorted. */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
