package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.Watermark;
import dev.kindling.ipp.WriteResult;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KindlingSparkTest
@KindlingPostgresTest
class JdbcConnectorIT {
    private static final StructType COUNTS = StructType.fromDDL("word STRING, n BIGINT");
    private final Connectors connectors = Connectors.builtIn();

    @BeforeAll
    static void schema(PostgresDatabase db) {
        db.execute("CREATE TABLE counts (word TEXT PRIMARY KEY, n BIGINT NOT NULL)");
        db.execute("CREATE TABLE plain (word TEXT, n BIGINT)");
        db.execute("CREATE TABLE events (id BIGINT PRIMARY KEY, kind TEXT, at TIMESTAMP)");
        db.execute("INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END, "
                + "TIMESTAMP '2026-11-25 00:00:00' + g * INTERVAL '1 minute' FROM generate_series(1, 10) g");
    }

    private static Map<String, String> login(PostgresDatabase db, Map<String, String> more) {
        Map<String, String> o = new HashMap<>(more);
        o.put("user", db.user());
        o.put("password", db.password());
        return o;
    }

    private static Dataset<Row> counts(SparkSession spark, Object... wordAndCount) {
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < wordAndCount.length; i += 2) {
            rows.add(RowFactory.create(wordAndCount[i], ((Number) wordAndCount[i + 1]).longValue()));
        }
        return spark.createDataFrame(rows, COUNTS);
    }

    private static List<String> sorted(Dataset<Row> ds) {
        return ds.collectAsList().stream().map(Row::toString).sorted().toList();
    }

    @Test
    void appendThenOverwriteRoundTrip(PostgresDatabase db, SparkSession spark) {
        BatchWritable append = (BatchWritable) connectors.sink(db.jdbcUrl(), login(db, Map.of("table", "plain")));
        assertThat(append.write(counts(spark, "a", 1, "b", 2), 0)).isEqualTo(new WriteResult(0, 2));
        assertThat(append.write(counts(spark, "a", 1), 1)).isEqualTo(new WriteResult(1, 1));
        BatchReadable source = (BatchReadable) connectors.source(db.jdbcUrl(), login(db, Map.of("table", "plain")));
        assertThat(sorted(source.read(spark))).containsExactly("[a,1]", "[a,1]", "[b,2]");
        BatchWritable overwrite = (BatchWritable) connectors.sink(db.jdbcUrl(), login(db, Map.of("table", "plain", "mode", "overwrite")));
        overwrite.write(counts(spark, "z", 26), 2);
        assertThat(sorted(source.read(spark))).containsExactly("[z,26]");
    }

    @Test
    void aFailedOverwriteKeepsTheOldRows(PostgresDatabase db, SparkSession spark) {
        db.execute("CREATE TABLE guarded (word TEXT NOT NULL, n BIGINT CHECK (n < 100))");
        db.execute("INSERT INTO guarded VALUES ('old', 1), ('older', 2)");
        BatchWritable overwrite = (BatchWritable) connectors.sink(db.jdbcUrl(), login(db, Map.of("table", "guarded", "mode", "overwrite")));
        // the second row breaks the table's check: the whole overwrite is rolled back
        assertThatThrownBy(() -> overwrite.write(counts(spark, "new", 3, "huge", 1000), 7))
                .hasMessageStartingWith("overwrite of jdbc:postgresql:")
                .hasMessageContaining("with batch 7 failed; the table keeps its old rows");
        assertThat(db.queryForList("SELECT word, n FROM guarded ORDER BY word"))
                .containsExactly(Map.of("word", "old", "n", 1L), Map.of("word", "older", "n", 2L));

        assertThat(overwrite.write(counts(spark, "new", 3, "newer", 4), 8)).isEqualTo(new WriteResult(8, 2));
        assertThat(db.queryForList("SELECT word, n FROM guarded ORDER BY word"))
                .containsExactly(Map.of("word", "new", "n", 3L), Map.of("word", "newer", "n", 4L));
        assertThat(db.queryForList("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'guarded__kindling_stage'"))
                .containsExactly(Map.of("n", 0L));
    }

    @Test
    void upsertTwiceLeavesOneRowPerKey(PostgresDatabase db, SparkSession spark) {
        BatchWritable upsert = (BatchWritable) connectors.sink(db.jdbcUrl(),
                login(db, Map.of("table", "counts", "mode", "upsert", "keys", "word", "batchSize", "2")));
        Dataset<Row> first = counts(spark, "a", 1, "b", 2, "c", 3).repartition(2);
        assertThat(upsert.write(first, 5)).isEqualTo(new WriteResult(5, 3));
        assertThat(upsert.write(first, 5)).isEqualTo(new WriteResult(5, 3));
        upsert.write(counts(spark, "b", 20, "d", 4), 6);
        assertThat(db.queryForList("SELECT word, n FROM counts WHERE word IN ('a', 'b', 'c', 'd') ORDER BY word")).containsExactly(
                Map.of("word", "a", "n", 1L), Map.of("word", "b", "n", 20L), Map.of("word", "c", "n", 3L), Map.of("word", "d", "n", 4L));
    }

    @Test
    void upsertWithoutAUniqueKeyExplainsTheFix(PostgresDatabase db, SparkSession spark) {
        BatchWritable upsert = (BatchWritable) connectors.sink(db.jdbcUrl(), login(db, Map.of("table", "plain", "mode", "upsert", "keys", "word")));
        assertThatThrownBy(() -> upsert.write(counts(spark, "a", 1), 0)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("needs a primary key or unique index on (word)");
    }

    @Test
    void filtersArePushedIntoTheSqlSentToTheDatabase(PostgresDatabase db, SparkSession spark) {
        BatchReadable source = (BatchReadable) connectors.source(db.jdbcUrl(), login(db, Map.of("table", "events", "where", "kind = 'even'")));
        Dataset<Row> big = source.read(spark).filter("id > 6");
        assertThat(big.queryExecution().executedPlan().toString()).contains("PushedFilters: [*IsNotNull(id), *GreaterThan(id,6)]");
        assertThat(sorted(big.select("id"))).containsExactly("[10]", "[8]");
    }

    @Test
    void incrementalReadTakesOnlyTheWatermarkRange(PostgresDatabase db, SparkSession spark) {
        IncrementalReadable byId = (IncrementalReadable) connectors.source(db.jdbcUrl(),
                login(db, Map.of("table", "events", "watermarkColumn", "id")));
        assertThat(byId.latestWatermark(spark)).contains(Watermark.ofLong(10));
        assertThat(sorted(byId.readIncrement(spark, Watermark.ofLong(7), Watermark.ofLong(9)).select("id"))).containsExactly("[8]", "[9]");
        assertThat(byId.readIncrement(spark, null, Watermark.ofLong(3)).count()).isEqualTo(3);

        IncrementalReadable byTime = (IncrementalReadable) connectors.source(db.jdbcUrl(),
                login(db, Map.of("table", "events", "watermarkColumn", "at")));
        Watermark latest = byTime.latestWatermark(spark).orElseThrow();
        assertThat(latest.kind()).isEqualTo(Watermark.Kind.TIMESTAMP);
        // a TIMESTAMP column's watermark is its wall clock taken as UTC (JdbcWatermarkZoneIT), whatever the JVM's zone
        Watermark afterEight = Watermark.ofInstant(java.time.Instant.parse("2026-11-25T00:08:00Z"));
        assertThat(sorted(byTime.readIncrement(spark, afterEight, latest).select("id"))).containsExactly("[10]", "[9]");

        IncrementalReadable empty = (IncrementalReadable) connectors.source(db.jdbcUrl(),
                login(db, Map.of("table", "events", "watermarkColumn", "id", "where", "id > 100")));
        assertThat(empty.latestWatermark(spark)).isEmpty();
    }

    @Test
    void streamingUpsertWritesEachMicroBatch(PostgresDatabase db, SparkSession spark, @TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("1.txt"), "x y x\n");
        Dataset<Row> counts = spark.readStream().text(in.toString())
                .selectExpr("explode(split(value, ' ')) AS word").groupBy("word").count().withColumnRenamed("count", "n");
        StreamWritable sink = (StreamWritable) connectors.sink(db.jdbcUrl(), login(db, Map.of("table", "counts", "mode", "upsert", "keys", "word")));
        StreamingQuery q = sink.writeStream(counts).outputMode("update").option("checkpointLocation", dir.resolve("cp").toString()).start();
        try {
            q.processAllAvailable();
            Files.writeString(in.resolve("2.txt"), "x\n");
            q.processAllAvailable();
        } finally {
            q.stop();
        }
        assertThat(db.queryForList("SELECT word, n FROM counts WHERE word IN ('x', 'y') ORDER BY word"))
                .containsExactly(Map.of("word", "x", "n", 3L), Map.of("word", "y", "n", 1L));
    }

    @Test
    void wrongPasswordIsAClearErrorWithoutThePassword(PostgresDatabase db, SparkSession spark) {
        IncrementalReadable source = (IncrementalReadable) connectors.source(db.jdbcUrl(),
                Map.of("table", "events", "watermarkColumn", "id", "user", "no_such_role", "password", "not-the-password-xyz"));
        assertThatThrownBy(() -> source.latestWatermark(spark)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot connect").hasMessageContaining("no_such_role")
                .hasMessageNotContaining("not-the-password-xyz");
    }
}
