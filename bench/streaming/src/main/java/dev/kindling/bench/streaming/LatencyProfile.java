package dev.kindling.bench.streaming;

import dev.kindling.testkit.KafkaBroker;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/**
 * {@link StreamingBench}'s latency run alone, with where each micro-batch's time goes: the median and p99 of
 * every phase Spark reports in the progress ({@code durationMs}: latestOffset, walCommit, queryPlanning,
 * addBatch, commitOffsets, triggerExecution, ...) over the batches that read records, in the second of two runs.
 *
 * <pre>
 * mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.streaming.LatencyProfile \
 *     -Dbench.args="100 20"      # RATE SECONDS [SPARK-SETTING=VALUE ...], e.g. spark.sql.streaming.stateStore.providerClass=...
 * </pre>
 */
public final class LatencyProfile {
    /** Seconds of lines sent before the measured ones, as in {@link StreamingBench}'s default. */
    private static final int WARM_UP = 3;

    private LatencyProfile() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try (KafkaBroker kafka = KafkaBroker.start()) {
            SparkSession.Builder b = SparkSession.builder().master("local[2]").appName("latency-profile")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1");
            for (int i = 2; i < args.length; i++) {
                String[] kv = args[i].split("=", 2);
                b.config(kv[0], kv[1]);
            }
            SparkSession spark = b.getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            Map<String, List<Long>> phases = Collections.synchronizedMap(new TreeMap<>());
            spark.streams().addListener(new StreamingQueryListener() {
                @Override
                public void onQueryStarted(QueryStartedEvent e) {
                }

                @Override
                public void onQueryProgress(QueryProgressEvent e) {
                    if (e.progress().numInputRows() > 0) {
                        e.progress().durationMs().forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                    }
                }

                @Override
                public void onQueryTerminated(QueryTerminatedEvent e) {
                }
            });
            // One unmeasured run first (code generation, JIT), as the latency run of StreamingBench follows its throughput runs.
            StreamingBench.latency(spark, kafka, Files.createTempDirectory("latency-profile"), rate, WARM_UP, seconds);
            phases.clear();
            StreamingBench.latency(spark, kafka, Files.createTempDirectory("latency-profile"), rate, WARM_UP, seconds);
            System.out.println("phase of the batches that read records: median / p99 ms (batches)");
            phases.forEach((k, v) -> {
                List<Long> s = new ArrayList<>(v);
                Collections.sort(s);
                System.out.printf("  %-20s %6d / %6d  (%d)%n", k, s.get(s.size() / 2), s.get(Math.min(s.size() - 1, (int) Math.ceil(0.99 * s.size()) - 1)),
                        s.size());
            });
            spark.stop();
        }
    }
}
