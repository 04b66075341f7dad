package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.continuous.internal.SettingsAssembly;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A runner from settings alone, and the messages of a wrong configuration or builder call. */
@KindlingSparkTest
@KindlingPostgresTest
class ContinuousSettingsIT {
    static PostgresDatabase db;

    @BeforeAll
    static void schema(PostgresDatabase database) {
        db = database;
        db.execute("CREATE TABLE ev (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.execute("CREATE TABLE out_words (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
    }

    private static String uri(String options) {
        return db.jdbcUrl() + "?user=" + db.user() + "&password=" + db.password() + "&" + options;
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final Map<String, String> BASE = Map.of(
            "kindling.continuous.source", "jdbc:postgresql://127.0.0.1:1/none?table=ev&user=u&password=p",
            "kindling.continuous.watermark-column", "id",
            "kindling.continuous.sink", "file:/tmp/kindling-settings-it?format=parquet&perBatch=true");

    private static ContinuousRunner fromSettings(Map<String, String> values) {
        return ContinuousRunner.fromSettings(Settings.of(values));
    }

    @Test
    void startsFromConfigurationAloneAndKeepsTheStoresDriverParameters(SparkSession spark) {
        db.update("INSERT INTO ev (word) VALUES (?)", "one");
        db.update("INSERT INTO ev (word) VALUES (?)", "two");
        String store = uri("table=configured_progress&sslmode=disable");
        ContinuousRunner runner = fromSettings(Map.of(
                "kindling.continuous.name", "configured",
                "kindling.continuous.source", uri("table=ev"),
                "kindling.continuous.watermark-column", "id",
                "kindling.continuous.sql", "SELECT id, concat(word, '!') AS word FROM input",
                "kindling.continuous.sink", uri("table=out_words&mode=upsert&keys=id"),
                "kindling.continuous.watermark-store", store,
                "kindling.continuous.interval", "5s",
                "kindling.continuous.start-paused", "true"));
        assertThat(runner).extracting(ContinuousRunner::name, ContinuousRunner::mode, ContinuousRunner::pattern)
                .containsExactly("configured", "incremental", "continuous");
        assertThat(SettingsAssembly.watermarkStore(store, "configured").name())
                .isEqualTo(db.jdbcUrl() + "?sslmode=disable table=configured_progress pipeline=configured");
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            assertThat(runner.runOnce().outcome()).isEqualTo(CycleOutcome.PUBLISHED);
            assertThat(db.queryForList("SELECT id, word FROM out_words ORDER BY id").stream().map(r -> r.get("id") + ":" + r.get("word")))
                    .containsExactly("1:one!", "2:two!");
            assertThat(db.queryForObject("SELECT batch_id FROM configured_progress WHERE pipeline = 'configured'", Long.class)).isEqualTo(0L);
            assertThat(runner.details()).extracting(ContinuousStatus::interval, ContinuousStatus::nextCycleAt).containsExactly("5s", null);
        }
    }

    @Test
    void everyMissingSettingIsNamedInOneMessage() {
        assertThatThrownBy(() -> fromSettings(Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("required settings are missing: kindling.continuous.source (environment KINDLING_CONTINUOUS_SOURCE), "
                        + "kindling.continuous.sink (environment KINDLING_CONTINUOUS_SINK)");
        assertThatThrownBy(() -> fromSettings(Map.of("kindling.continuous.mode", "available-now", "kindling.continuous.sink", "console:")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("required settings are missing: kindling.continuous.source (environment KINDLING_CONTINUOUS_SOURCE), "
                        + "kindling.continuous.checkpoint (environment KINDLING_CONTINUOUS_CHECKPOINT)");
    }

    @Test
    void wrongSettingsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> fromSettings(with(BASE, "kindling.continuous.checkpoint", "/tmp/cp")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kindling.continuous.checkpoint and kindling.continuous.mode=incremental exclude each other");
        assertThatThrownBy(() -> fromSettings(with(BASE, "kindling.continuous.watermark-store", "s3://b/wm")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a watermark store URI starts with file: or jdbc:; got 's3://b/wm'");
        assertThatThrownBy(() -> fromSettings(with(BASE, "kindling.continuous.mode", "available-now", "kindling.continuous.checkpoint", "/tmp/cp")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kindling.continuous.watermark-column and kindling.continuous.mode=available-now exclude each other");
        assertThatThrownBy(() -> fromSettings(with(BASE, "kindling.continuous.sink", "file:/tmp/x?format=parquet")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("sink 'file:/tmp/x?format=parquet&mode=append' of 'continuous' is AT_LEAST_ONCE: a re-run batch could be published twice. "
                        + "Use an idempotent sink (JDBC mode=upsert, file perBatch=true or mode=overwrite) or call allowNonIdempotentSink(true)");
        assertThatThrownBy(() -> fromSettings(with(BASE, "kindling.continuous.backoff.initial", "10s", "kindling.continuous.backoff.max", "1s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the largest backoff (PT1S) must not be smaller than the initial one (PT10S)");
    }

    @Test
    void theBuilderChecksTheProgressHolderTheBackoffTheSinksAndThePrefix() {
        Connectors c = Connectors.builtIn();
        Pipeline incremental = Pipeline.builder(PipelineKind.INCREMENTAL).name("p").source(new Fixtures.CountingSource(1))
                .sink(c.sink("file:/tmp/p?format=parquet&perBatch=true")).build();
        FileWatermarkStore store = new FileWatermarkStore(Path.of("/tmp/x.wm"));
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner of INCREMENTAL pipeline 'p' needs watermarkStore(...) (FileWatermarkStore or JdbcWatermarkStore)");
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).watermarkStore(store).checkpoint("/tmp/cp").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("runner of 'p': watermarkStore(...) and checkpoint(...) exclude each other");
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).backoff(Duration.ofSeconds(10), Duration.ofSeconds(1))
                .watermarkStore(store).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the largest backoff (PT1S) must not be smaller than the initial one (PT10S)");
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).interval(Duration.ZERO))
                .isInstanceOf(ConfigurationException.class).hasMessage("interval must be at least 1 ms, got PT0S");
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).outputMode("sometimes"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("outputMode must be one of auto, append, update, complete; got 'sometimes'");
        assertThatThrownBy(() -> ContinuousRunner.builder(incremental).routePrefix("/modeler/"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a route prefix is empty or like /modeler (segments of letters, digits, '.', '_', '~' and '-', no trailing '/'); "
                        + "got '/modeler/'");
        Pipeline deadLettersAppended = Pipeline.builder(PipelineKind.INCREMENTAL).name("d").source(new Fixtures.CountingSource(1))
                .decoder(RecordDecoder.text())
                .sink(c.sink("file:/tmp/d?format=parquet&perBatch=true"))
                .deadLetters((BatchWritable) c.sink("file:/tmp/d-dead?format=parquet")).build();
        assertThatThrownBy(() -> ContinuousRunner.builder(deadLettersAppended).watermarkStore(store).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("dead-letter sink 'file:/tmp/d-dead?format=parquet&mode=append' of 'd' is AT_LEAST_ONCE");
        assertThat(ContinuousRunner.builder(deadLettersAppended).watermarkStore(store).allowNonIdempotentSink(true).build().name())
                .isEqualTo("d");
        // a lookback reads rows again, in a later batch: only a sink that upserts by key absorbs them
        Pipeline lookingBack = Pipeline.builder(PipelineKind.INCREMENTAL).name("l")
                .source(c.source("jdbc:postgresql://127.0.0.1:5432/app?table=ratings&watermarkColumn=id&lookback=100"))
                .sink(c.sink("file:/tmp/l?format=parquet&perBatch=true")).build();
        assertThatThrownBy(() -> ContinuousRunner.builder(lookingBack).watermarkStore(store).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("source 'jdbc:postgresql://127.0.0.1:5432/app?table=ratings' of 'l' reads again the rows within "
                        + "its lookback (100) below the committed watermark, so sink 'file:/tmp/l")
                .hasMessageContaining("would publish them twice. Use a sink that upserts by key (JDBC mode=upsert with keys)");
        Pipeline upserting = Pipeline.builder(PipelineKind.INCREMENTAL).name("u")
                .source(c.source("jdbc:postgresql://127.0.0.1:5432/app?table=ratings&watermarkColumn=id&lookback=100"))
                .sink(c.sink("jdbc:postgresql://127.0.0.1:5432/app?table=r&mode=upsert&keys=id")).build();
        assertThat(ContinuousRunner.builder(upserting).watermarkStore(store).build().name()).isEqualTo("u");
        Pipeline batch = Pipeline.builder(PipelineKind.BATCH).name("b").source(c.source("range:0..3"))
                .sink(c.sink("file:/tmp/b?format=parquet&perBatch=true")).build();
        assertThatThrownBy(() -> ContinuousRunner.builder(batch).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("pipeline 'b' is a BATCH pipeline; a continuous runner takes an INCREMENTAL pipeline");
    }
}
