package dev.kindling.bench.streaming;

import dev.kindling.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * One variant of {@link StreamingBench}'s throughput runs, alone in its JVM, so that a profiler sees only it:
 *
 * <pre>
 * mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.streaming.DecoderProfile \
 *     -Dbench.args="kindling 1000000 4" -Dbench.jvm="-XX:StartFlightRecording=filename=/tmp/kindling.jfr,settings=profile"
 * </pre>
 *
 * <p>Variants: {@code kindling}, {@code plain} (text word count), {@code kindling-json}, {@code plain-json}. Arguments:
 * VARIANT RECORDS RUNS. Prints each run's records per second; the first run warms up.
 */
public final class DecoderProfile {
    private DecoderProfile() {
    }

    public static void main(String[] args) throws Exception {
        String variant = args.length > 0 ? args[0] : "kindling";
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path work = Files.createTempDirectory("kindling-decoder-profile-");
        boolean json = variant.endsWith("-json");
        try (KafkaBroker kafka = KafkaBroker.start()) {
            SparkSession spark = SparkSession.builder().master("local[2]").appName("decoder-profile")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
            if (System.getProperty("log4j2.configurationFile") == null) {
                spark.sparkContext().setLogLevel("WARN");
            }
            String input = "profile-input";
            kafka.createTopic(input, 2);
            if (json) {
                JsonVariants.produce(kafka.bootstrapServers(), input, records);
            } else {
                StreamingBench.produceLines(kafka.bootstrapServers(), input, records);
            }
            java.util.concurrent.atomic.AtomicLong startedAt = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong firstBatchAt = new java.util.concurrent.atomic.AtomicLong();
            spark.streams().addListener(new org.apache.spark.sql.streaming.StreamingQueryListener() {
                @Override
                public void onQueryStarted(QueryStartedEvent e) {
                    startedAt.compareAndSet(0, System.nanoTime());
                }

                @Override
                public void onQueryProgress(QueryProgressEvent e) {
                    if (e.progress().numInputRows() > 0) {
                        firstBatchAt.compareAndSet(0, System.nanoTime() - e.progress().batchDuration() * 1_000_000L);
                    }
                }

                @Override
                public void onQueryTerminated(QueryTerminatedEvent e) {
                }
            });
            for (int i = 1; i <= runs; i++) {
                startedAt.set(0);
                firstBatchAt.set(0);
                long t0 = System.nanoTime();
                System.out.println("RUN " + i + " begins");
                Path ckpt = work.resolve("c" + i);
                String out = "out-" + i;
                double secs = switch (variant) {
                    case "kindling" -> StreamingBench.kindling(spark, kafka, input, ckpt, out);
                    case "plain" -> StreamingBench.plain(spark, kafka, input, ckpt, out);
                    case "kindling-json" -> JsonVariants.kindling(spark, kafka, input, ckpt, out);
                    case "plain-json" -> JsonVariants.plain(spark, kafka, input, ckpt, out);
                    default -> throw new IllegalArgumentException("unknown variant " + variant);
                };
                System.out.printf(Locale.ROOT, "%s run %d: %.0f records/s, %.0f ms to the query's start, %.0f ms to its first batch%n",
                        variant, i, records / secs, (startedAt.get() - t0) / 1e6, (firstBatchAt.get() - t0) / 1e6);
            }
            spark.stop();
        }
    }
}
