package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.ipp.StreamingPlan;
import dev.kindling.ipp.WriteResult;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A decoder with dead letters in batch pipelines (continuous and on-demand use these) and in a streaming plan. */
@KindlingSparkTest
@KindlingKafkaTest
class DecodingPipelineIT {
    private static final String SCHEMA = "id BIGINT NOT NULL, name STRING";
    private final Connectors connectors = Connectors.builtIn();

    private static List<String> sorted(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(Row::toString).sorted().toList();
    }

    private Path lines(Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("orders.txt"), String.join("\n",
                "{\"id\": 1, \"name\": \"ann\"}",
                "not json at all",
                "{\"id\": \"seven\", \"name\": \"bob\"}",
                "{\"name\": \"no id\"}",
                "{\"id\": 2, \"name\": \"cy\"}") + "\n");
        return in;
    }

    @Test
    void rejectedRecordsGoToTheDeadLetterSinkAndTheRestIsPublished(SparkSession spark, @TempDir Path dir) throws Exception {
        Pipeline p = Pipeline.builder(PipelineKind.BATCH).name("orders")
                .source(connectors.source("file:" + lines(dir) + "?format=text"))
                .decoder(RecordDecoder.json(SCHEMA))
                .process(Processor.sql("SELECT id, upper(name) AS name FROM input"))
                .sink(connectors.sink("memory:decoded_good"))
                .deadLetters(connectors.sink("memory:decoded_dead"))
                .build();
        assertThat(p.runBatch(spark, 7)).isEqualTo(new WriteResult(7, 2, 3));
        assertThat(sorted(spark.table("decoded_good"))).containsExactly("[1,ANN]", "[2,CY]");
        Dataset<Row> dead = spark.table("decoded_dead");
        assertThat(dead.columns()).containsExactly("topic", "partition", "offset", "timestamp", "key", "value", "error");
        assertThat(sorted(dead.selectExpr("cast(value AS STRING)", "error"))).containsExactly(
                "[not json at all,value is malformed JSON or does not match the schema id BIGINT NOT NULL, name STRING]",
                "[{\"id\": \"seven\", \"name\": \"bob\"},value is malformed JSON or does not match the schema id BIGINT NOT NULL, name STRING]",
                "[{\"name\": \"no id\"},required field 'id' is missing or null]");
    }

    @Test
    void withoutADeadLetterSinkRejectedRecordsAreDroppedAndCounted(SparkSession spark, @TempDir Path dir) throws Exception {
        Pipeline p = Pipeline.builder(PipelineKind.BATCH).name("counted")
                .source(connectors.source("file:" + lines(dir) + "?format=text"))
                .decoder(RecordDecoder.json(SCHEMA))
                .sink(connectors.sink("memory:decoded_counted"))
                .build();
        assertThat(p.runBatch(spark, 0)).isEqualTo(new WriteResult(0, 2, 3));
        assertThat(sorted(spark.table("decoded_counted"))).containsExactly("[1,ann]", "[2,cy]");
    }

    @Test
    void kafkaDeadLettersKeepTheOriginalBytesAndCarryTheErrorInHeaders(SparkSession spark, KafkaBroker kafka) {
        String in = kafka.createUniqueTopic("orders-in", 1);
        String dead = kafka.createUniqueTopic("orders-dead", 1);
        kafka.produce(in, "k1", "{\"id\": 1, \"name\": \"ann\"}");
        kafka.produce(in, "k2", "{\"id\": null}");
        String base = "kafka://" + kafka.bootstrapServers() + "/";
        Pipeline p = Pipeline.builder(PipelineKind.BATCH).name("kafka-batch")
                .source(connectors.source(base + in))
                .decoder(RecordDecoder.json(SCHEMA))
                .sink(connectors.sink("memory:kafka_good"))
                .deadLetters(connectors.sink(base + dead))
                .build();
        assertThat(p.runBatch(spark, 0)).isEqualTo(new WriteResult(0, 1, 1));
        assertThat(sorted(spark.table("kafka_good").select("id", "name"))).containsExactly("[1,ann]");
        List<KafkaRecord> letters = kafka.consume(dead, 1, Duration.ofSeconds(30));
        KafkaRecord r = letters.get(0);
        assertThat(r.keyAsString()).isEqualTo("k2");
        assertThat(r.valueAsString()).isEqualTo("{\"id\": null}");
        assertThat(Map.of("kindling.error", r.header("kindling.error"), "kindling.topic", r.header("kindling.topic"),
                "kindling.partition", r.header("kindling.partition"), "kindling.offset", r.header("kindling.offset")))
                .isEqualTo(Map.of("kindling.error", "required field 'id' is missing or null",
                        "kindling.topic", in, "kindling.partition", "0", "kindling.offset", "1"));
    }

    @Test
    void aDeadLetterSinkNeedsADecoderThatRejectsAndItsOwnAddress() {
        Pipeline.Builder b = Pipeline.builder(PipelineKind.BATCH).name("p").source(connectors.source("range:3"))
                .sink(connectors.sink("memory:same")).deadLetters(connectors.sink("memory:other"));
        assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
                .hasMessage("pipeline 'p' has a dead-letter sink but the decoder 'none', which rejects nothing: set "
                        + "decoder(RecordDecoder.text()) or json(...), or remove deadLetters(...)");
        Pipeline.Builder same = Pipeline.builder(PipelineKind.BATCH).name("p").source(connectors.source("range:3"))
                .decoder(RecordDecoder.text()).sink(connectors.sink("memory:same")).deadLetters(connectors.sink("memory:same"));
        assertThatThrownBy(same::build).isInstanceOf(ConfigurationException.class)
                .hasMessage("pipeline 'p': the sink and the dead-letter sink are both 'memory:same'; give dead letters their own topic or table");
    }

    @Test
    void aStreamingPlanRefusesAnOutputModeThatDoesNotFitWithSparksReason(SparkSession spark, @TempDir Path dir) throws Exception {
        Pipeline p = Pipeline.builder(PipelineKind.STREAMING).name("counts")
                .source(connectors.source("file:" + lines(dir) + "?format=text"))
                .process(Processor.sql("SELECT value, count(*) AS n FROM input GROUP BY value"))
                .sink(connectors.sink("memory:plan_counts"))
                .build();
        assertThat(StreamingPlan.of(p, spark, "auto").outputMode()).isEqualTo("update");
        assertThatThrownBy(() -> StreamingPlan.of(p, spark, "append"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("query 'counts' cannot run in output mode 'append': ")
                .hasMessageEndingWith("; use output mode update or complete (an aggregation needs complete or update)");
        assertThatThrownBy(() -> StreamingPlan.of(p, spark, "update").mainQuery("counts", null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("query 'counts' keeps state (it aggregates; output mode update), and its state lives in the checkpoint: "
                        + "give it a checkpoint");
    }
}
