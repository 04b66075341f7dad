package dev.kindling.bench.streaming;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/** {@link StreamingBench}'s JSON variants: Kindling's JSON decoder and plain {@code from_json}, the same processing after each. */
final class JsonVariants {
    private JsonVariants() {
    }

    /** The JSON records' schema: what {@link #kindling} decodes and {@link #plain} parses. */
    static final String DDL = "id BIGINT NOT NULL, word STRING NOT NULL, amount DOUBLE";
    /** The stateless processing after the JSON decoder, the same in both JSON variants. */
    static final String SQL = "SELECT word, id, amount * 2 AS amount FROM input WHERE amount >= 0";

    /**
     * Seconds the Kindling runner takes to decode the whole JSON topic ({@code RecordDecoder.json}: UTF-8 check,
     * malformed and missing required fields are dead letters), filter and project it, and write it to Kafka.
     */
    static double kindling(SparkSession spark, KafkaBroker kafka, String input, Path checkpoint, String output) throws Exception {
        Connectors c = Connectors.builtIn();
        String uri = "kafka://" + kafka.bootstrapServers() + "/";
        Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name("bench-" + output)
                .source(c.source(uri + input))
                .decoder(RecordDecoder.json(DDL))
                .process(Processor.sql(SQL))
                .sink(c.sink(uri + output + "?keyColumn=word"))
                .build();
        return StreamingBench.runToTheEnd(spark, StreamingRunner.builder(pipeline).checkpoint(checkpoint.toString())
                .trigger(StreamTrigger.availableNow()).build());
    }

    /** The same JSON query in plain Spark: {@code from_json} (no checks), the same SQL, {@code to_json} to Kafka. */
    static double plain(SparkSession spark, KafkaBroker kafka, String input, Path checkpoint, String output) throws Exception {
        long start = System.nanoTime();
        Dataset<Row> records = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", kafka.bootstrapServers())
                .option("subscribe", input).option("startingOffsets", "earliest").load()
                .selectExpr("from_json(CAST(value AS STRING), '" + DDL.replace(" NOT NULL", "") + "') AS r").select("r.*");
        Dataset<Row> out;
        synchronized (spark) {
            records.createOrReplaceTempView("input");
            out = spark.sql(SQL);
            out.schema();
            spark.catalog().dropTempView("input");
        }
        StreamingQuery q = out.selectExpr("CAST(word AS STRING) AS key", "to_json(struct(word, id, amount)) AS value")
                .writeStream().format("kafka")
                .option("kafka.bootstrap.servers", kafka.bootstrapServers()).option("topic", output)
                .option("checkpointLocation", checkpoint.toString())
                .trigger(Trigger.AvailableNow()).start();
        q.awaitTermination();
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code records} JSON objects of {@link #DDL}. */
    static void produce(String bootstrap, String topic, int records) {
        SplittableRandom random = new SplittableRandom(13);
        try (KafkaProducer<byte[], byte[]> producer = StreamingBench.producer(bootstrap)) {
            for (int i = 0; i < records; i++) {
                String json = "{\"id\":" + i + ",\"word\":\"" + "word" + random.nextInt(1000)
                        + "\",\"amount\":" + random.nextInt(10_000) / 100.0 + "}";
                producer.send(new ProducerRecord<>(topic, null, json.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }
}
