package dev.kindling.bench.streaming;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * Spark's real-time mode against micro-batches, side by side in one run, on the same stateless Kindling pipeline
 * ({@link UpperService}: Kafka → {@code upper(value)} → Kafka, 2 input partitions, on the testkit's real broker), with
 * the same open-loop load ({@link KafkaLoad}):
 *
 * <ol>
 *   <li><b>latency</b> at each rate: p50, p99 and max from the bench's send to its consumer's receipt, the first
 *       {@code WARMUP} seconds of each run dropped; the two variants alternate over {@code ROUNDS} rounds
 *       ({@link Alternating}), each run on fresh topics and a fresh checkpoint; medians over rounds and the median of
 *       the per-round ratios real-time p99 / micro-batch p99;</li>
 *   <li><b>maximum sustained rate</b>: one stepped ramp per variant ({@link RateRamp}); the highest step at which the
 *       producer offered at least 95 % of the rate, the output kept up (at least 95 % of the input rate) and p99 stayed
 *       under 1 s.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=dev.kindling.bench.streaming.RealTimeBench \
 *     -Dbench.args="ROUNDS RATES WARMUP SECONDS RAMP STEP CHECKPOINT"
 * # defaults (about 8 minutes):  3 1000,10000 3 12 2000,5000,10000,20000,40000 10 5s
 * # smoke run (about 2 minutes): 1 1000,10000 2 3 2000,10000 3 5s
 * </pre>
 *
 * <p>Variants: {@code real-time} is {@code StreamTrigger.realTime(CHECKPOINT)} (Spark's {@code Trigger.RealTime}),
 * {@code micro-batch} is {@code StreamTrigger.asFastAsPossible()} ({@code ProcessingTime(0)}). Spark runs
 * {@code local[4]}: real-time mode holds one task slot per input partition for as long as it runs (the runner refuses
 * to start it with fewer free slots), so 2 of the 4 slots stay busy; micro-batch gets the same master. Both share the
 * machine's cores with the broker's JVM and with this JVM's producer and consumer. Results go to
 * {@code bench/results/realtime.json}.
 */
public final class RealTimeBench {
    static final int PARTITIONS = 2;
    static final String MASTER = "local[4]";
    private static final String REAL_TIME = "real-time";
    private static final String MICRO_BATCH = "micro-batch";

    private final SparkSession spark;
    private final KafkaBroker kafka;
    private final Path work;
    private final Map<String, StreamTrigger> variants = new LinkedHashMap<>();
    private int runs;

    private RealTimeBench(SparkSession spark, KafkaBroker kafka, Path work, Duration checkpointInterval) {
        this.spark = spark;
        this.kafka = kafka;
        this.work = work;
        variants.put(REAL_TIME, StreamTrigger.realTime(checkpointInterval));
        variants.put(MICRO_BATCH, StreamTrigger.asFastAsPossible());
    }

    /** The command line, parsed: see the class javadoc. */
    record Options(int rounds, int[] rates, int warmup, int seconds, int[] ramp, int step, String checkpoint) {
        static Options parse(String[] a) {
            return new Options(a.length > 0 ? Integer.parseInt(a[0]) : 3, ints(a.length > 1 ? a[1] : "1000,10000"),
                    a.length > 2 ? Integer.parseInt(a[2]) : 3, a.length > 3 ? Integer.parseInt(a[3]) : 12,
                    ints(a.length > 4 ? a[4] : "2000,5000,10000,20000,40000"), a.length > 5 ? Integer.parseInt(a[5]) : 10,
                    a.length > 6 ? a[6] : "5s");
        }

        String args() {
            return String.join(" ", String.valueOf(rounds), text(rates), String.valueOf(warmup), String.valueOf(seconds), text(ramp),
                    String.valueOf(step), checkpoint);
        }

        private static int[] ints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        }

        private static String text(int[] values) {
            return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Duration checkpointInterval = StreamTrigger.parse("real-time:" + o.checkpoint()).interval();
        Instant startedAt = Instant.now();
        String command = "mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.main=" + RealTimeBench.class.getName()
                + " -Dbench.args=\"" + o.args() + "\"";
        System.out.println(Machine.describe());
        System.out.println(command);
        Path work = Files.createTempDirectory("kindling-bench-realtime-");
        try (KafkaBroker kafka = KafkaBroker.start()) {
            SparkSession spark = SparkSession.builder().master(MASTER).appName("bench-realtime")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            System.out.printf(Locale.ROOT, "Spark %s %s; real-time mode holds one task slot per input partition (%d of 4) while it runs;"
                    + " real-time checkpoint every %s%n", spark.version(), MASTER, PARTITIONS, o.checkpoint());
            BenchResultFile file = new BenchResultFile("realtime", "Real-time mode vs micro-batch: stateless Kafka to Kafka pipeline",
                    command, startedAt, spark.version())
                    .parameter("rounds", o.rounds()).parameter("rates", Options.text(o.rates())).parameter("warmupSeconds", o.warmup())
                    .parameter("seconds", o.seconds()).parameter("ramp", Options.text(o.ramp())).parameter("stepSeconds", o.step())
                    .parameter("checkpointInterval", o.checkpoint()).parameter("master", MASTER).parameter("inputPartitions", PARTITIONS);
            new RealTimeBench(spark, kafka, work, checkpointInterval).run(o, file);
            System.out.println("written to " + file.write());
            spark.stop();
        }
    }

    private void run(Options o, BenchResultFile file) throws Exception {
        // one short unmeasured run of each variant first: the JVM's first query pays for code generation and JIT
        for (String v : variants.keySet()) {
            KafkaLoad.Window w = latencyRun(v, o.rates()[0], o.warmup(), o.warmup());
            System.out.printf(Locale.ROOT, "warm-up %s: p99 %.1f ms (not counted)%n", v, w.p99Ms());
        }
        Map<Integer, Alternating.Result> p99 = new LinkedHashMap<>();
        Map<Integer, Map<String, List<KafkaLoad.Window>>> windows = new LinkedHashMap<>();
        for (int rate : o.rates()) {
            Map<String, List<KafkaLoad.Window>> byVariant = new LinkedHashMap<>();
            Alternating loop = Alternating.of(String.format(Locale.ROOT, "p99 at %,d records/s", rate), "ms");
            for (String v : variants.keySet()) {
                List<KafkaLoad.Window> list = new ArrayList<>();
                byVariant.put(v, list);
                loop.variant(v, () -> {
                    KafkaLoad.Window w = latencyRun(v, rate, o.warmup(), o.seconds());
                    list.add(w);
                    return w.p99Ms();
                });
            }
            p99.put(rate, loop.run(0, o.rounds()));
            windows.put(rate, byVariant);
        }
        RateRamp ramp = new RateRamp(kafka, o.ramp(), o.step(), o.warmup());
        Alternating.Result max = Alternating.of("maximum sustained rate", "records/s")
                .variant(REAL_TIME, () -> ramp.maxSustained(REAL_TIME, (in, out) -> service(REAL_TIME, in, out)))
                .variant(MICRO_BATCH, () -> ramp.maxSustained(MICRO_BATCH, (in, out) -> service(MICRO_BATCH, in, out)))
                .run(0, 1);
        report(o, p99, windows, max, ramp, file);
    }

    /** One run of {@code variant} on fresh topics and a fresh checkpoint: {@code warmup + seconds} at {@code rate}, the warm-up dropped. */
    private KafkaLoad.Window latencyRun(String variant, int rate, int warmup, int seconds) throws Exception {
        String in = kafka.createUniqueTopic("rt-in", PARTITIONS);
        String out = kafka.createUniqueTopic("rt-out", PARTITIONS);
        int dropped = 1 + rate * warmup; // the priming record and the warm-up
        int total = dropped + rate * seconds;
        try (UpperService s = service(variant, in, out);
             KafkaLoad load = KafkaLoad.open(kafka.bootstrapServers(), in, out, total)) {
            double up = load.prime(Duration.ofSeconds(60));
            double took = load.send(rate, total - 1);
            boolean all = load.awaitArrived(total, Duration.ofSeconds(10));
            s.check();
            KafkaLoad.Window w = load.window(dropped, total);
            System.out.printf(Locale.ROOT, "  %-11s %,7d records/s: p50 %7.1f ms, p99 %7.1f ms, max %7.1f ms (%,d measured, %,d delivered%s;"
                            + " producer at %.0f %% of the rate; first record through in %.1f s)%n", variant, rate, w.p50Ms(),
                    w.p99Ms(), w.maxMs(), w.records(), w.delivered(), all ? "" : ", SOME NOT DELIVERED within 10 s",
                    100.0 * (total - 1) / rate / took, up);
            load.warnIfWrong();
            return w;
        }
    }

    /** A fresh service of {@code variant} reading {@code in}, writing {@code out}, with a checkpoint of its own. */
    private UpperService service(String variant, String in, String out) {
        String name = (variant.equals(REAL_TIME) ? "rt-" : "mb-") + (++runs);
        return UpperService.start(spark, kafka.bootstrapServers(), name, variants.get(variant), work.resolve(name), in, out);
    }

    private void report(Options o, Map<Integer, Alternating.Result> p99, Map<Integer, Map<String, List<KafkaLoad.Window>>> windows,
                        Alternating.Result max, RateRamp ramp, BenchResultFile file) {
        System.out.printf(Locale.ROOT, "%nRESULT: medians over %d round(s); Spark %s, %d input partitions, first %d s of each run dropped,"
                + " %d s measured%n", o.rounds(), MASTER, PARTITIONS, o.warmup(), o.seconds());
        System.out.printf(Locale.ROOT, "%12s  %-12s %10s %10s %10s%n", "records/s", "variant", "p50 ms", "p99 ms", "max ms");
        for (int rate : o.rates()) {
            Map<String, List<KafkaLoad.Window>> byVariant = windows.get(rate);
            Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
            for (String v : variants.keySet()) {
                List<KafkaLoad.Window> ws = byVariant.get(v);
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("p50", Alternating.median(ws.stream().map(KafkaLoad.Window::p50Ms).toList()));
                m.put("p99", Alternating.median(ws.stream().map(KafkaLoad.Window::p99Ms).toList()));
                m.put("max", Alternating.median(ws.stream().map(KafkaLoad.Window::maxMs).toList()));
                medians.put(v, m);
                System.out.printf(Locale.ROOT, "%,12d  %-12s %10.1f %10.1f %10.1f%n", rate, v, m.get("p50"), m.get("p99"), m.get("max"));
            }
            Alternating.Result r = p99.get(rate);
            double ratio = r.medianRatio(REAL_TIME, MICRO_BATCH);
            System.out.printf(Locale.ROOT, "%12s  real-time p99 / micro-batch p99 = %.3f (median of %d per-round ratios; goal <= 0.1: %s)%n",
                    "", ratio, r.rounds().size(), ratio <= 0.1 ? "met" : "NOT met");
            BenchResultFile.Measurement m = file.measurement("p99-" + rate, r).ratio("real-time p99 / micro-batch p99", ratio, "<= 0.1", ratio <= 0.1);
            if (rate == 1000) {
                double rt = r.medians().get(REAL_TIME);
                m.ratio("real-time p99 / 25 ms", rt / 25, "<= 1", rt <= 25);
            }
            for (String stat : List.of("p50", "max")) {
                List<Map<String, Double>> rounds = new ArrayList<>();
                for (int i = 0; i < r.rounds().size(); i++) {
                    Map<String, Double> round = new LinkedHashMap<>();
                    for (String v : variants.keySet()) {
                        KafkaLoad.Window w = byVariant.get(v).get(i);
                        round.put(v, stat.equals("p50") ? w.p50Ms() : w.maxMs());
                    }
                    rounds.add(round);
                }
                Map<String, Double> med = new LinkedHashMap<>();
                medians.forEach((v, mm) -> med.put(v, mm.get(stat)));
                file.measurement(stat + "-" + rate, String.format(Locale.ROOT, "%s at %,d records/s", stat, rate), "ms",
                        List.copyOf(variants.keySet()), rounds, med);
            }
        }
        if (p99.containsKey(1000)) {
            double rt = p99.get(1000).medians().get(REAL_TIME);
            System.out.printf(Locale.ROOT, "real-time p99 at 1,000 records/s: %.1f ms (goal <= 25 ms: %s)%n", rt, rt <= 25 ? "met" : "NOT met");
        }
        Map<String, Double> sustained = max.medians();
        System.out.printf(Locale.ROOT, "maximum sustained rate (%s): real-time %s, micro-batch %s%n", RateRamp.DEFINITION,
                ramp.describe(sustained.get(REAL_TIME)), ramp.describe(sustained.get(MICRO_BATCH)));
        BenchResultFile.Measurement m = file.measurement("max-rate", max);
        if (sustained.get(MICRO_BATCH) > 0) {
            m.ratio("real-time / micro-batch", max.medianRatio(REAL_TIME, MICRO_BATCH), null, null);
        }
    }
}
