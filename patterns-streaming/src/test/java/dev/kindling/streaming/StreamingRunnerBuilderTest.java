package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingRunnerBuilderTest {
    private final Connectors c = Connectors.builtIn();

    @Test
    void aKafkaSinkNeedsACheckpoint() {
        assertThatThrownBy(() -> StreamingRunner.builder("x").source(c.source("kafka://127.0.0.1:9/in"))
                .sink(c.sink("kafka://127.0.0.1:9/out")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("sink 'kafka://127.0.0.1:9/out' of runner 'x' needs a checkpoint to keep its AT_LEAST_ONCE guarantee: "
                        + "set checkpoint(...) / kindling.streaming.checkpoint");
    }

    @Test
    void deadLettersNeedADecoderThatRejectsAndTheirOwnSink() {
        assertThatThrownBy(() -> StreamingRunner.builder("x").source(c.source("kafka://127.0.0.1:9/in"))
                .sink(c.sink("table:t")).deadLetters(c.sink("table:dead")).checkpoint("/tmp/x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("runner 'x' has a dead-letter sink but decoder 'none', which rejects nothing");
        assertThatThrownBy(() -> StreamingRunner.builder("x").source(c.source("kafka://127.0.0.1:9/in")).decoder(RecordDecoder.text())
                .sink(c.sink("kafka://127.0.0.1:9/out")).deadLetters(c.sink("kafka://127.0.0.1:9/out")).checkpoint("/tmp/x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner 'x': the sink and the dead-letter sink are both 'kafka://127.0.0.1:9/out'; give dead letters their own topic or table");
    }

    @Test
    void aSourceThatCannotStreamIsRejected() {
        assertThatThrownBy(() -> StreamingRunner.builder("x").source(c.source("jdbc:postgresql://127.0.0.1:5432/db?table=t"))
                .sink(c.sink("table:t")).checkpoint("/tmp/x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot be used in a stream processing pipeline ('x'): it lacks the streaming read capability");
    }

    @Test
    void badNamesModesAndBackoffsAreRejected() {
        assertThatThrownBy(() -> StreamingRunner.builder("a b")).isInstanceOf(ConfigurationException.class)
                .hasMessage("a streaming runner's name must be letters, digits, '_' and '-'; got 'a b'");
        assertThatThrownBy(() -> StreamingRunner.builder("x").outputMode("sometimes")).isInstanceOf(ConfigurationException.class)
                .hasMessage("output mode must be auto, append, update or complete; got 'sometimes'");
        assertThatThrownBy(() -> StreamingRunner.builder("x").restartBackoff(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("restart backoff: initial (PT5S) must be >= 0 and max (PT1S) >= initial");
        assertThatThrownBy(() -> RecordDecoder.json("word STRNG")).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("the JSON schema 'word STRNG' is not valid DDL");
        assertThatThrownBy(() -> c.sink("table:bad-name")).isInstanceOf(ConfigurationException.class)
                .hasMessage("a queryable table's name must be letters, digits and underscores, as in table:word_counts; got 'bad-name'");
    }

    @Test
    void fromSettingsNeedsSourceAndSinkAndASchemaOnlyWithJson() {
        assertThatThrownBy(() -> StreamingRunner.fromSettings(c, Settings.of(Map.of("kindling.streaming.sink", "console:"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.streaming.source (environment KINDLING_STREAMING_SOURCE) is required to run a streaming service from configuration");
        assertThatThrownBy(() -> StreamingRunner.fromSettings(c, Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "console:", "kindling.streaming.schema", "a INT"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("kindling.streaming.schema is set but kindling.streaming.decode is 'none': a schema goes with decode=json only");
        assertThatThrownBy(() -> StreamingRunner.fromSettings(c, Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "console:", "kindling.streaming.decode", "xml"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("setting kindling.streaming.decode (from ");
        StreamingRunner ok = StreamingRunner.fromSettings(c, Settings.of(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "table:t?keys=word", "kindling.streaming.checkpoint", "/tmp/cp",
                "kindling.streaming.decode", "text", "kindling.streaming.trigger", "fast")));
        assertThat(ok.name()).isEqualTo("stream");
        assertThat(ok.tables()).extracting(QueryableTable::tableName).containsExactly("t");
        assertThat(ok.state()).isEqualTo(RunnerState.NEW);
    }
}
