package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.streaming.internal.StreamingProvider;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.Backoff;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingRunnerBuilderTest {
    private final Connectors c = Connectors.builtIn();

    private Pipeline.Builder pipeline(String name, String sink) {
        return Pipeline.builder(PipelineKind.STREAMING).name(name).source(c.source("kafka://127.0.0.1:9/in")).sink(c.sink(sink));
    }

    @Test
    void aKafkaSinkNeedsACheckpoint() {
        assertThatThrownBy(() -> StreamingRunner.builder(pipeline("x", "kafka://127.0.0.1:9/out").build()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("sink 'kafka://127.0.0.1:9/out' of runner 'x' needs a checkpoint to keep its AT_LEAST_ONCE guarantee: "
                        + "set checkpoint(...) / kindling.streaming.checkpoint");
        assertThatThrownBy(() -> StreamingRunner.builder(pipeline("x", "console:").decoder(RecordDecoder.text())
                .deadLetters(c.sink("table:dead")).build()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("dead-letter sink 'table:dead' of runner 'x' needs a checkpoint to keep its EXACTLY_ONCE guarantee: "
                        + "set checkpoint(...) / kindling.streaming.checkpoint");
    }

    @Test
    void deadLettersNeedADecoderThatRejectsAndTheirOwnSink() {
        assertThatThrownBy(() -> pipeline("x", "table:t").deadLetters(c.sink("table:dead")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("pipeline 'x' has a dead-letter sink but the decoder 'none', which rejects nothing");
        assertThatThrownBy(() -> pipeline("x", "kafka://127.0.0.1:9/out").decoder(RecordDecoder.text())
                .deadLetters(c.sink("kafka://127.0.0.1:9/out")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("pipeline 'x': the sink and the dead-letter sink are both 'kafka://127.0.0.1:9/out'; give dead letters their own topic or table");
    }

    @Test
    void onlyAStreamingPipelineWithAPlainNameRuns() {
        Pipeline batch = Pipeline.builder(PipelineKind.BATCH).name("b").source(c.source("range:0..10")).sink(c.sink("console:")).build();
        assertThatThrownBy(() -> StreamingRunner.builder(batch).build()).isInstanceOf(ConfigurationException.class)
                .hasMessage("pipeline 'b' is a BATCH pipeline; a streaming runner needs a STREAMING one: Pipeline.builder(PipelineKind.STREAMING)");
        assertThatThrownBy(() -> StreamingRunner.builder(pipeline("a b", "console:").build()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a streaming runner takes its pipeline's name, which must be letters, digits, '_' and '-'; got 'a b'");
        assertThatThrownBy(() -> pipeline("x", "table:t").source(c.source("jdbc:postgresql://127.0.0.1:5432/db?table=t")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot be used in a stream processing pipeline ('x'): it lacks the streaming read capability");
    }

    @Test
    void badModesBackoffsPrefixesAndLimitsAreRejected() {
        StreamingRunner.Builder b = StreamingRunner.builder(pipeline("x", "console:").build());
        assertThatThrownBy(() -> b.outputMode("sometimes")).isInstanceOf(ConfigurationException.class)
                .hasMessage("output mode must be auto, append, update or complete; got 'sometimes'");
        assertThatThrownBy(() -> b.backoff(new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))).isInstanceOf(ConfigurationException.class)
                .hasMessage("the largest backoff (PT1S) must not be smaller than the initial one (PT5S)");
        assertThatThrownBy(() -> b.maxRestarts(-1)).isInstanceOf(ConfigurationException.class).hasMessage("maxRestarts must be >= 0; got -1");
        assertThatThrownBy(() -> b.lagInterval(Duration.ZERO)).isInstanceOf(ConfigurationException.class)
                .hasMessage("the lag interval must be positive; got PT0S");
        assertThatThrownBy(() -> b.routePrefix("words/")).isInstanceOf(ConfigurationException.class)
                .hasMessage("a route prefix is empty or like /a or /a/b (letters, digits, '_', '.', '-'); got 'words/'");
        assertThatThrownBy(() -> b.tableMaxLimit(0)).isInstanceOf(ConfigurationException.class)
                .hasMessage("the table max limit must be at least 1; got 0");
        assertThatThrownBy(() -> b.checkpoint(" ")).isInstanceOf(ConfigurationException.class)
                .hasMessage("the checkpoint location must not be blank");
        assertThatThrownBy(() -> RecordDecoder.json("word STRNG")).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("the JSON schema 'word STRNG' is not valid DDL");
        assertThatThrownBy(() -> c.sink("table:bad-name")).isInstanceOf(ConfigurationException.class)
                .hasMessage("a queryable table's name must be letters, digits and underscores, as in table:word_counts; got 'bad-name'");
    }

    @Test
    void theProviderNamesEveryMissingSettingAtOnceAndASchemaOnlyGoesWithJson() {
        StreamingProvider provider = new StreamingProvider();
        assertThat(provider.pattern()).isEqualTo("streaming");
        assertThat(provider.settings()).containsExactly(StreamingSettings.class);
        assertThatThrownBy(() -> provider.fromSettings(Settings.of(Map.of("kindling.streaming.decode", "json"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("required settings are missing: kindling.streaming.source (environment KINDLING_STREAMING_SOURCE), "
                        + "kindling.streaming.sink (environment KINDLING_STREAMING_SINK), "
                        + "kindling.streaming.schema (environment KINDLING_STREAMING_SCHEMA)");
        assertThatThrownBy(() -> provider.fromSettings(Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "console:", "kindling.streaming.schema", "a INT"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("kindling.streaming.schema is set but kindling.streaming.decode is 'none': a schema goes with decode=json only");
        assertThatThrownBy(() -> provider.fromSettings(Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "console:", "kindling.streaming.decode", "xml"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("setting kindling.streaming.decode (from ");
        StreamingRunner ok = provider.fromSettings(Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "table:t?keys=word", "kindling.streaming.checkpoint", "/tmp/cp",
                "kindling.streaming.decode", "text", "kindling.streaming.trigger", "fast")));
        assertThat(ok.name()).isEqualTo("stream");
        assertThat(ok.pattern()).isEqualTo("streaming");
        assertThat(ok.tables()).extracting(QueryableTable::tableName).containsExactly("t");
        assertThat(ok.pipeline().decoder()).hasToString("text");
    }

    @Test
    void theBackoffSettingsAreNamedLikeEveryPatterns() {
        assertThat(StreamingSettings.BACKOFF_INITIAL.name()).isEqualTo("kindling.streaming.backoff.initial");
        assertThat(StreamingSettings.BACKOFF_MAX.name()).isEqualTo("kindling.streaming.backoff.max");
        assertThat(Settings.describe(StreamingSettings.class)).contains("`kindling.streaming.backoff.initial`")
                .doesNotContain("restart.initial-backoff");
    }
}
