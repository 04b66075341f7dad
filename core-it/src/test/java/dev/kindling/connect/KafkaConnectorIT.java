package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaMessage;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
@KindlingKafkaTest
class KafkaConnectorIT {
    private final Connectors connectors = Connectors.builtIn();

    private String uri(KafkaBroker kafka, String topic) {
        return "kafka://" + kafka.bootstrapServers() + "/" + topic;
    }

    @Test
    void batchRoundTripKeepsKeyValueHeadersAndOffsets(KafkaBroker kafka, SparkSession spark) {
        String topic = kafka.createUniqueTopic("roundtrip", 1);
        Dataset<Row> out = spark.sql("SELECT CAST(id AS STRING) AS key, CAST(id * 10 AS STRING) AS value, "
                + "array(named_struct('key', 'origin', 'value', CAST('test' AS BINARY))) AS headers FROM range(3)")
                .coalesce(1); // one writer task, so the offsets follow the ids
        WriteResult written = ((BatchWritable) connectors.sink(uri(kafka, topic))).write(out, 0);
        assertThat(written).isEqualTo(new WriteResult(0, 3));

        Dataset<Row> back = ((BatchReadable) connectors.source(uri(kafka, topic))).read(spark)
                .selectExpr("CAST(key AS STRING) k", "CAST(value AS STRING) v", "topic", "partition", "offset",
                        "CAST(headers[0].value AS STRING) h")
                .orderBy("offset");
        assertThat(back.collectAsList().stream().map(Row::toString).toList()).containsExactly(
                "[0,0," + topic + ",0,0,test]", "[1,10," + topic + ",0,1,test]", "[2,20," + topic + ",0,2,test]");
    }

    @Test
    void rowsWithoutAValueColumnAreWrittenAsJsonKeyedByKeyColumn(KafkaBroker kafka, SparkSession spark) {
        String topic = kafka.createUniqueTopic("json", 1);
        ((BatchWritable) connectors.sink(uri(kafka, topic) + "?keyColumn=word"))
                .write(spark.sql("SELECT 'spark' AS word, 3L AS count"), 0);
        List<KafkaRecord> records = kafka.consume(topic, 1, Duration.ofSeconds(30));
        assertThat(records.get(0).keyAsString()).isEqualTo("spark");
        assertThat(records.get(0).valueAsString()).isEqualTo("{\"word\":\"spark\",\"count\":3}");
    }

    @Test
    void streamingReadAndStreamingWrite(KafkaBroker kafka, SparkSession spark, @TempDir Path dir) throws Exception {
        String in = kafka.createUniqueTopic("in", 2);
        String out = kafka.createUniqueTopic("out", 1);
        kafka.produce(in, List.of(KafkaMessage.of("a", "hello").toPartition(0), KafkaMessage.of("b", "world").toPartition(1)));
        Dataset<Row> upper = ((StreamReadable) connectors.source(uri(kafka, in))).readStream(spark)
                .selectExpr("key", "upper(CAST(value AS STRING)) AS value");
        StreamingQuery q = ((StreamWritable) connectors.sink(uri(kafka, out))).writeStream(upper)
                .option("checkpointLocation", dir.resolve("cp").toString()).start();
        try {
            q.processAllAvailable();
        } finally {
            q.stop();
        }
        List<String> values = kafka.consume(out, 2, Duration.ofSeconds(30)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).sorted().toList();
        assertThat(values).containsExactly("HELLO", "WORLD");
    }
}
