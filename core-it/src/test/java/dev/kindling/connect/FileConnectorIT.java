package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.StreamReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@KindlingSparkTest
class FileConnectorIT {
    private static final StructType SCHEMA = StructType.fromDDL("id INT, name STRING");
    private static final List<Row> ROWS = List.of(RowFactory.create(1, "one"), RowFactory.create(2, "two"), RowFactory.create(3, "three"));
    private final Connectors connectors = Connectors.builtIn();

    @TempDir
    Path dir;

    private static Dataset<Row> rows(SparkSession spark) {
        return spark.createDataFrame(ROWS, SCHEMA);
    }

    private static List<String> sorted(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(Row::toString).sorted().toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"csv", "json", "parquet", "orc"})
    void batchRoundTripInEveryFormat(String format, SparkSession spark) {
        String uri = "file:" + dir.resolve(format) + "?format=" + format;
        WriteResult written = ((BatchWritable) connectors.sink(uri)).write(rows(spark), 0);
        assertThat(written).isEqualTo(new WriteResult(0, 3));
        Dataset<Row> back = ((BatchReadable) connectors.source(uri, Map.of("schema", "id INT, name STRING"))).read(spark);
        assertThat(sorted(back.select("id", "name"))).containsExactly("[1,one]", "[2,two]", "[3,three]");
    }

    @Test
    void textRoundTrip(SparkSession spark) {
        String uri = "file:" + dir.resolve("text") + "?format=text";
        ((BatchWritable) connectors.sink(uri)).write(rows(spark).selectExpr("name AS value"), 0);
        assertThat(sorted(((BatchReadable) connectors.source(uri)).read(spark))).containsExactly("[one]", "[three]", "[two]");
    }

    @Test
    void saveModesAppendOverwriteAndRefuse(SparkSession spark) {
        String base = "file:" + dir.resolve("modes") + "?format=parquet";
        ((BatchWritable) connectors.sink(base)).write(rows(spark), 0);
        ((BatchWritable) connectors.sink(base)).write(rows(spark), 1);
        assertThat(((BatchReadable) connectors.source(base)).read(spark).count()).isEqualTo(6);
        ((BatchWritable) connectors.sink(base + "&mode=overwrite")).write(rows(spark).limit(1), 2);
        assertThat(((BatchReadable) connectors.source(base)).read(spark).count()).isEqualTo(1);
        assertThatThrownBy(() -> ((BatchWritable) connectors.sink(base + "&mode=errorifexists")).write(rows(spark), 3))
                .hasMessageContaining("already exists");
        ((BatchWritable) connectors.sink(base + "&mode=ignore")).write(rows(spark), 4);
        assertThat(((BatchReadable) connectors.source(base)).read(spark).count()).isEqualTo(1);
    }

    @Test
    void perBatchWritesReplaceARerunBatch(SparkSession spark) throws Exception {
        String uri = "file:" + dir.resolve("versions") + "?format=parquet&perBatch=true";
        BatchWritable sink = (BatchWritable) connectors.sink(uri);
        sink.write(rows(spark), 7);
        sink.write(rows(spark), 7);
        sink.write(rows(spark).limit(1), 8);
        try (Stream<Path> children = Files.list(dir.resolve("versions"))) {
            assertThat(children.map(p -> p.getFileName().toString()).sorted()).containsExactly("batch_id=7", "batch_id=8");
        }
        Dataset<Row> all = spark.read().parquet(dir.resolve("versions").toString());
        assertThat(sorted(all.groupBy("batch_id").count())).containsExactly("[7,3]", "[8,1]");
    }

    @Test
    void partitionedWrite(SparkSession spark) {
        String uri = "file:" + dir.resolve("parts") + "?format=parquet&partitionBy=name";
        ((BatchWritable) connectors.sink(uri)).write(rows(spark), 0);
        assertThat(Files.isDirectory(dir.resolve("parts").resolve("name=two"))).isTrue();
    }

    @Test
    void streamingReadOfNewFilesAndStreamingWrite(SparkSession spark) throws Exception {
        Path in = Files.createDirectories(dir.resolve("landing"));
        Files.writeString(in.resolve("a.csv"), "id,name\n1,one\n2,two\n");
        StreamReadable source = (StreamReadable) connectors.source("file:" + in + "?format=csv&schema=id INT, name STRING");
        StreamWritable sink = (StreamWritable) connectors.sink("file:" + dir.resolve("out") + "?format=parquet");
        StreamingQuery q = sink.writeStream(source.readStream(spark))
                .option("checkpointLocation", dir.resolve("checkpoint").toString()).start();
        try {
            q.processAllAvailable();
            Files.writeString(in.resolve("b.csv"), "id,name\n3,three\n");
            q.processAllAvailable();
        } finally {
            q.stop();
        }
        assertThat(sorted(spark.read().parquet(dir.resolve("out").toString()).select("id", "name")))
                .containsExactly("[1,one]", "[2,two]", "[3,three]");
    }

    @Test
    void streamingReadWithoutSchemaIsAClearError(SparkSession spark) {
        StreamReadable source = (StreamReadable) connectors.source("file:" + dir + "?format=json");
        assertThatThrownBy(() -> source.readStream(spark)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("needs a schema");
    }
}
