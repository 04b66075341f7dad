package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingKafkaTest
@KindlingSparkTest
class KafkaBrokerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaBroker fromConstructor;

  KafkaBrokerIT(KafkaBroker kafka) {
    this.fromConstructor = kafka;
  }

  @Test
  void injectsOneBroker(KafkaBroker kafka) {
    assertThat(kafka).isSameAs(fromConstructor);
    assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void producesAndConsumesExactRecords(KafkaBroker kafka) {
    kafka.createTopic("orders", 1);
    assertThat(kafka.topics()).contains("orders");

    kafka.produce("orders", "k1", "v1");
    kafka.produce("orders", List.of(
        KafkaMessage.of("k2", "v2").withHeader("source", "test"),
        KafkaMessage.of(null, "v3")));

    List<KafkaRecord> records = kafka.consume("orders", 3, TIMEOUT);
    assertThat(records)
        .extracting(KafkaRecord::topic, KafkaRecord::partition, KafkaRecord::offset,
            KafkaRecord::keyAsString, KafkaRecord::valueAsString, KafkaRecord::headers)
        .containsExactly(
            tuple("orders", 0, 0L, "k1", "v1", List.of()),
            tuple("orders", 0, 1L, "k2", "v2", List.of(KafkaHeader.of("source", "test"))),
            tuple("orders", 0, 2L, null, "v3", List.of()));
    assertThat(records.get(1).header("source")).isEqualTo("test");
    assertThat(kafka.latestOffsets("orders")).containsExactly(entry(0, 3L));
  }

  @Test
  void producesBytes(KafkaBroker kafka) {
    String topic = kafka.createUniqueTopic("bytes", 1);
    assertThat(topic).startsWith("bytes-");
    byte[] key = {1, 2, 3};
    byte[] value = {(byte) 0xff, 0};
    kafka.produceBytes(topic, key, value);
    kafka.produceBytes(topic, null, null);

    assertThat(kafka.consume(topic, 2, TIMEOUT))
        .extracting(KafkaRecord::offset, KafkaRecord::key, KafkaRecord::value)
        .containsExactly(tuple(0L, key, value), tuple(1L, null, null));
  }

  @Test
  void producesToChosenPartitions(KafkaBroker kafka) {
    String topic = kafka.createUniqueTopic("partitioned", 3);
    List<Long> offsets = kafka.produce(topic, List.of(
        KafkaMessage.of("a", "1").toPartition(2),
        KafkaMessage.of("b", "2").toPartition(2),
        KafkaMessage.of("c", "3").toPartition(1)));
    assertThat(offsets).containsExactly(0L, 1L, 0L);

    assertThat(kafka.consume(topic, 3, TIMEOUT))
        .extracting(KafkaRecord::partition, KafkaRecord::offset, KafkaRecord::keyAsString,
            KafkaRecord::valueAsString)
        .containsExactly(tuple(1, 0L, "c", "3"), tuple(2, 0L, "a", "1"), tuple(2, 1L, "b", "2"));
    assertThat(kafka.latestOffsets(topic)).containsExactly(entry(0, 0L), entry(1, 1L), entry(2, 2L));
  }

  @Test
  void consumeFailsWithWhatItReadWhenTooFewRecordsArrive(KafkaBroker kafka) {
    String topic = kafka.createUniqueTopic("short", 1);
    kafka.produce(topic, "only", "one");
    assertThatThrownBy(() -> kafka.consume(topic, 2, Duration.ofSeconds(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected at least 2 records in topic " + topic)
        .hasMessageContaining("but read 1")
        .hasMessageContaining("key=only, value=one");
  }

  @Test
  void createTopicRejectsAnExistingTopic(KafkaBroker kafka) {
    String topic = kafka.createUniqueTopic("twice", 1);
    assertThatThrownBy(() -> kafka.createTopic(topic, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("create topic " + topic);
  }

  @Test
  void sparkReadsTheTopicInBatch(SparkSession spark, KafkaBroker kafka) {
    String topic = kafka.createUniqueTopic("spark-batch", 1);
    kafka.produce(topic, List.of(KafkaMessage.of("a", "1"), KafkaMessage.of("b", "2"),
        KafkaMessage.of("c", "3")));

    List<Row> rows = spark.read().format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrapServers())
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("endingOffsets", "latest")
        .load()
        .selectExpr("CAST(key AS STRING) AS k", "CAST(value AS STRING) AS v", "partition", "offset")
        .orderBy("offset")
        .collectAsList();
    assertThat(rows).extracting(r -> r.getString(0), r -> r.getString(1), r -> r.getInt(2), r -> r.getLong(3))
        .containsExactly(tuple("a", "1", 0, 0L), tuple("b", "2", 0, 1L), tuple("c", "3", 0, 2L));
  }

  @Test
  void sparkStreamsFromAndToTopics(SparkSession spark, KafkaBroker kafka, @TempDir Path checkpoint)
      throws TimeoutException {
    String input = kafka.createUniqueTopic("stream-in", 1);
    String output = kafka.createUniqueTopic("stream-out", 1);
    StreamingQuery query = spark.readStream().format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrapServers())
        .option("subscribe", input)
        .option("startingOffsets", "earliest")
        .load()
        .selectExpr("key", "upper(CAST(value AS STRING)) AS value")
        .writeStream().format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrapServers())
        .option("topic", output)
        .option("checkpointLocation", checkpoint.toString())
        .start();
    try {
      kafka.produce(input, List.of(KafkaMessage.of("1", "one"), KafkaMessage.of("2", "two")));
      await().atMost(TIMEOUT).until(() -> kafka.latestOffsets(output).get(0) == 2L);
      assertThat(kafka.consume(output, 2, TIMEOUT))
          .extracting(KafkaRecord::keyAsString, KafkaRecord::valueAsString, KafkaRecord::offset)
          .containsExactly(tuple("1", "ONE", 0L), tuple("2", "TWO", 1L));
    } finally {
      query.stop();
    }
  }
}
