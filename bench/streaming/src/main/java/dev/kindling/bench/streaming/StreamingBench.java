package dev.kindling.bench.streaming;

import dev.kindling.bench.harness.Alternating;
import dev.kindling.bench.harness.BenchResultFile;
import dev.kindling.bench.harness.Machine;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.ComponentState;
import dev.kindling.service.ComponentStatus;
import dev.kindling.service.KindlingService;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Stream-processing benchmarks on one embedded Kafka broker (a real KRaft broker in its own JVM):
 *
 * <ol>
 *   <li>Kafka → Kafka word count throughput (input records per second) of the Kindling
 *       {@link StreamingRunner} (a component of a {@link KindlingService}, as in an app) and of the same
 *       query written in plain Spark, alternated in one JVM,
 *       each with an available-now trigger over the same topic and a fresh checkpoint; of the runner
 *       with no decoder (the plain query's plan run by Kindling, to separate the runner's cost from
 *       the decoder's); and of a raw
 *       Kafka consumer + producer loop that counts in a {@code HashMap} (the physical anchor);</li>
 *   <li>end-to-end latency, p50 and p99, from producing a line to consuming its count update, at a
 *       fixed rate, with the Kindling runner and a {@code fast} trigger.</li>
 * </ol>
 *
 * <pre>
 * mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.args="RECORDS ROUNDS RATE SECONDS [WARMUP]"
 * </pre>
 *
 * <p>Defaults: 2,000,000 records (a workload where query start-up no longer dominates), 5 rounds per variant,
 * 100 lines/s for 20 s measured after 3 s unmeasured (the first data batches of a new query compile their code).
 * The variants alternate ({@link Alternating}); medians and ratios are printed and written
 * to {@code bench/results/streaming.json}.
 */
public final class StreamingBench {
    static final String SQL = "SELECT word, count(*) AS count FROM "
            + "(SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word";
    private static final String[] VOCABULARY = buildVocabulary();

    private StreamingBench() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        java.time.Instant startedAt = java.time.Instant.now();
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Path work = Files.createTempDirectory("kindling-bench-streaming-");
        try (KafkaBroker kafka = KafkaBroker.start()) {
            SparkSession spark = SparkSession.builder().master("local[2]").appName("bench-streaming")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            String input = "bench-words";
            kafka.createTopic(input, 2);
            produceLines(kafka.bootstrapServers(), input, records);
            System.out.printf("input: %d lines (6 words each) in topic %s, 2 partitions%n", records, input);

            System.out.println(Machine.describe());
            java.util.concurrent.atomic.AtomicInteger run = new java.util.concurrent.atomic.AtomicInteger();
            // one unmeasured run of each variant (code generation, JIT), then the rounds; each run reads the whole topic
            Alternating.Result r = Alternating.of(String.format(Locale.ROOT, "word count over %,d lines", records), "records/s")
                    .variant("kindling", () -> records / kindling(spark, kafka, input, work.resolve("k" + run.incrementAndGet()),
                            "out-k" + run.get()))
                    .variant("plain", () -> records / plain(spark, kafka, input, work.resolve("p" + run.incrementAndGet()), "out-p" + run.get()))
                    .variant("kindling-no-decoder", () -> records / kindling(spark, kafka, input, work.resolve("kn" + run.incrementAndGet()),
                            "out-kn" + run.get(), false))
                    .variant("raw", () -> records / rawLoop(kafka.bootstrapServers(), input, "out-r" + run.incrementAndGet(), records))
                    .run(1, rounds);
            System.out.println(r.summary("kindling", "plain") + " (goal >= 0.97)");
            System.out.println(r.summary("kindling-no-decoder", "plain"));
            System.out.println(r.summary("kindling", "kindling-no-decoder") + " (the decoder's own cost)");
            System.out.println(r.summary("kindling", "raw"));
            BenchResultFile result = new BenchResultFile("streaming", "Kafka to Kafka word count: Kindling, plain Spark, a raw Kafka loop",
                    "mvn -B -f bench/streaming/pom.xml compile exec:exec -Dbench.args=\"" + records + " " + rounds + " " + rate + " "
                            + seconds + " " + warmUp + "\"", startedAt, spark.version())
                    .parameter("records", records).parameter("rounds", rounds).parameter("rate", rate).parameter("seconds", seconds)
                    .parameter("warmUpSeconds", warmUp);
            double kp = r.medianRatio("kindling", "plain");
            result.measurement("throughput", r)
                    .ratio("kindling / plain", kp, ">= 0.97", kp >= 0.97)
                    .ratio("kindling without decoder / plain", r.medianRatio("kindling-no-decoder", "plain"), null, null)
                    .ratio("kindling / kindling without decoder", r.medianRatio("kindling", "kindling-no-decoder"), null, null)
                    .ratio("kindling / raw", r.medianRatio("kindling", "raw"), null, null);

            String jsonInput = "bench-json";
            kafka.createTopic(jsonInput, 2);
            JsonVariants.produce(kafka.bootstrapServers(), jsonInput, records);
            System.out.printf("input: %d JSON objects (%s) in topic %s, 2 partitions%n", records, JsonVariants.DDL, jsonInput);
            Alternating.Result j = Alternating.of(String.format(Locale.ROOT, "JSON decode, filter, project over %,d records", records),
                            "records/s")
                    .variant("kindling-json", () -> records / JsonVariants.kindling(spark, kafka, jsonInput, work.resolve("kj" + run.incrementAndGet()),
                            "out-kj" + run.get()))
                    .variant("plain-json", () -> records / JsonVariants.plain(spark, kafka, jsonInput, work.resolve("pj" + run.incrementAndGet()),
                            "out-pj" + run.get()))
                    .run(1, rounds);
            System.out.println(j.summary("kindling-json", "plain-json") + " (goal >= 0.97)");
            double kj = j.medianRatio("kindling-json", "plain-json");
            result.measurement("json", j).ratio("kindling json decoder / plain from_json", kj, ">= 0.97", kj >= 0.97);

            Map<String, Double> latency = latency(spark, kafka, work.resolve("lat"), rate, warmUp, seconds);
            if (!latency.isEmpty()) {
                double p99 = latency.get("p99");
                result.measurement("latency", String.format(Locale.ROOT, "produce to count, %d lines/s for %d s after %d s unmeasured",
                        rate, seconds, warmUp), "ms",
                                List.copyOf(latency.keySet()), List.of(latency), latency)
                        .ratio("p99 / 500 ms", p99 / 500, "<= 1", p99 <= 500);
            }
            System.out.println("written to " + result.write());
            spark.stop();
        }
    }
    /** Seconds the Kindling runner takes to process the whole topic with an available-now trigger. */
    static double kindling(SparkSession spark, KafkaBroker kafka, String input, Path checkpoint, String output) throws Exception {
        return kindling(spark, kafka, input, checkpoint, output, true);
    }

    /**
     * @param decode true: {@code RecordDecoder.text()} (UTF-8 check + dead-letter count); false: no decoder,
     *               the SQL casts the value itself (what the plain query does)
     */
    static double kindling(SparkSession spark, KafkaBroker kafka, String input, Path checkpoint, String output, boolean decode)
            throws Exception {
        Connectors c = Connectors.builtIn();
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name("bench-" + output)
                .source(c.source(uri + input))
                .decoder(decode ? RecordDecoder.text() : RecordDecoder.none())
                .process(decode ? Processor.sql(SQL) : Processor.sql("SELECT CAST(value AS STRING) AS value FROM input").andThen(Processor.sql(SQL)))
                .sink(c.sink(uri + output + "?keyColumn=word"))
                .build();
        return runToTheEnd(spark, StreamingRunner.builder(pipeline)
                .checkpoint(checkpoint.toString())
                .trigger(StreamTrigger.availableNow())
                .outputMode("update")
                .build());
    }

    /** Seconds from the start of a service with {@code runner} (an available-now query) to the query's end. */
    static double runToTheEnd(SparkSession spark, StreamingRunner runner) throws Exception {
        spark.streams().resetTerminated();
        long start = System.nanoTime();
        // The runner runs as a component of a service, as in an app; its HTTP server binds in a few ms, inside the measured time.
        KindlingService service = service(spark, runner);
        try {
            spark.streams().awaitAnyTermination(); // the only query: it ends when everything available is processed
            double secs = (System.nanoTime() - start) / 1e9;
            ComponentStatus end = awaitFinalState(service, runner.name());
            if (end.state() != ComponentState.COMPLETED) {
                throw new IllegalStateException("kindling run ended " + end.state() + ": " + end.lastError());
            }
            return secs;
        } finally {
            service.shutdown();
        }
    }

    static KindlingService service(SparkSession spark, StreamingRunner runner) {
        return KindlingService.builder("bench-streaming").spark(spark)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .component(runner)
                .start();
    }

    /** The runner's state once its supervisor has seen the query end (a few ms after it did). */
    static ComponentStatus awaitFinalState(KindlingService service, String name) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ComponentStatus s = service.status().components().get(name);
        while ((s.state() == ComponentState.RUNNING || s.state() == ComponentState.STARTING)
                && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(5);
            s = service.status().components().get(name);
        }
        return s;
    }

    /** The same query in plain Spark. */
    static double plain(SparkSession spark, KafkaBroker kafka, String input, Path checkpoint, String output) throws Exception {
        long start = System.nanoTime();
        Dataset<Row> lines = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", kafka.bootstrapServers())
                .option("subscribe", input).option("startingOffsets", "earliest").load()
                .selectExpr("CAST(value AS STRING) AS value");
        Dataset<Row> counts;
        synchronized (spark) {
            lines.createOrReplaceTempView("input");
            counts = spark.sql(SQL);
            counts.schema();
            spark.catalog().dropTempView("input");
        }
        StreamingQuery q = counts.selectExpr("CAST(word AS STRING) AS key", "to_json(struct(word, count)) AS value")
                .writeStream().format("kafka")
                .option("kafka.bootstrap.servers", kafka.bootstrapServers()).option("topic", output)
                .option("checkpointLocation", checkpoint.toString())
                .outputMode("update").trigger(Trigger.AvailableNow()).start();
        q.awaitTermination();
        return (System.nanoTime() - start) / 1e9;
    }

    /** A raw consumer + producer loop: read everything, count in a map, produce each poll's updated counts. */
    static double rawLoop(String bootstrap, String input, String output, int records) {
        long start = System.nanoTime();
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
             KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            List<TopicPartition> parts = consumer.partitionsFor(input).stream().map(i -> new TopicPartition(input, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<String, Long> counts = new HashMap<>();
            int seen = 0;
            while (seen < records) {
                Map<String, Long> changed = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    for (String w : new String(r.value(), StandardCharsets.UTF_8).split(" ")) {
                        changed.put(w, counts.merge(w, 1L, Long::sum));
                    }
                }
                changed.forEach((w, n) -> producer.send(new ProducerRecord<>(output, w.getBytes(StandardCharsets.UTF_8),
                        ("{\"word\":\"" + w + "\",\"count\":" + n + "}").getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Produce-to-result latency at {@code rate} lines per second for {@code seconds}: each line is one new word. */
    /**
     * The produce → count latency of a stateful word count at {@code rate} lines a second: lines are sent for {@code warmUp}
     * + {@code seconds} seconds, and those of the last {@code seconds} are measured (the first data batches of a new query
     * compile their generated code).
     */
    static Map<String, Double> latency(SparkSession spark, KafkaBroker kafka, Path checkpoint, int rate, int warmUp, int seconds)
            throws Exception {
        String input = kafka.createUniqueTopic("lat-words", 1);
        String output = kafka.createUniqueTopic("lat-counts", 1);
        Connectors c = Connectors.builtIn();
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        StreamingRunner runner = StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name("latency")
                        .source(c.source(uri + input)).decoder(RecordDecoder.text()).process(Processor.sql(SQL))
                        .sink(c.sink(uri + output + "?keyColumn=word")).build())
                .checkpoint(checkpoint.toString())
                .trigger(StreamTrigger.asFastAsPossible()).build();
        KindlingService service = service(spark, runner);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean done = new AtomicBoolean();
        int total = rate * seconds;
        Thread reader = resultReader(kafka.bootstrapServers(), output, sentAt, latencies, done, total);
        reader.start();
        // Let the query start and run its first (empty) batches before measuring.
        TimeUnit.SECONDS.sleep(5);
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long next = System.nanoTime();
            int unmeasured = rate * warmUp;
            for (int i = 0; i < unmeasured + total; i++) {
                String word = "w" + i;
                if (i >= unmeasured) {
                    sentAt.put(word, System.nanoTime());
                }
                producer.send(new ProducerRecord<>(input, null, word.getBytes(StandardCharsets.UTF_8)));
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            producer.flush();
        }
        reader.join(TimeUnit.SECONDS.toMillis(60));
        done.set(true);
        service.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            System.out.println("LATENCY: no results arrived");
            return Map.of();
        }
        System.out.printf("%nLATENCY (kindling runner, trigger fast, %d lines/s, first %d s not measured, then %d s: %d of %d measured): "
                        + "p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", rate, warmUp, seconds, sorted.size(), total, pct(sorted, 0.50) / 1e6, pct(sorted, 0.99) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        out.put("p50", pct(sorted, 0.50) / 1e6);
        out.put("p99", pct(sorted, 0.99) / 1e6);
        out.put("max", sorted.get(sorted.size() - 1) / 1e6);
        return out;
    }

    /** Reads the output topic and records, per word, the time from its send to the arrival of its count. */
    private static Thread resultReader(String bootstrap, String output, Map<String, Long> sentAt, List<Long> latencies,
                                       AtomicBoolean done, int total) {
        return new Thread(() -> {
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
                TopicPartition tp = new TopicPartition(output, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (!done.get() && latencies.size() < total) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        Long sent = sentAt.remove(new String(r.key(), StandardCharsets.UTF_8));
                        if (sent != null) {
                            latencies.add(now - sent);
                        }
                    }
                }
            }
        }, "latency-reader");
    }

    private static double pct(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static void produceLines(String bootstrap, String topic, int records) {
        SplittableRandom random = new SplittableRandom(11);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < records; i++) {
                StringBuilder b = new StringBuilder();
                for (int w = 0; w < 6; w++) {
                    if (w > 0) {
                        b.append(' ');
                    }
                    b.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
                }
                producer.send(new ProducerRecord<>(topic, null, b.toString().getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static String[] buildVocabulary() {
        String[] v = new String[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = "word" + i;
        }
        return v;
    }
}
