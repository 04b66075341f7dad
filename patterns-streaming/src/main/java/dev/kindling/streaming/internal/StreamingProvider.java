package dev.kindling.streaming.internal;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.Backoff;
import dev.kindling.service.ComponentProvider;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.streaming.StreamingSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The stream processing pattern for the configuration-only service {@code dev.kindling.service.Main}
 * ({@code KINDLING_PATTERN=streaming}): a {@link StreamingRunner} built from {@link StreamingSettings}
 * alone. Found through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * StreamingRunner runner = new StreamingProvider().fromSettings(Settings.of(Map.of(
 *         "kindling.streaming.source", "kafka://127.0.0.1:9092/words", "kindling.streaming.decode", "text",
 *         "kindling.streaming.sink", "table:lines", "kindling.streaming.checkpoint", "/tmp/lines")));
 * }</pre>
 *
 * <p>As a service, with {@code dev.kindling.service.Main}:
 *
 * <pre>
 * KINDLING_PATTERN=streaming \
 * KINDLING_STREAMING_SOURCE=kafka://127.0.0.1:9092/words KINDLING_STREAMING_DECODE=text \
 * KINDLING_STREAMING_SQL="SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word" \
 * KINDLING_STREAMING_SINK="table:word_counts?keys=word" KINDLING_STREAMING_CHECKPOINT=/var/lib/wordcount \
 * spark-submit --class dev.kindling.service.Main app.jar
 * </pre>
 */
public final class StreamingProvider implements ComponentProvider {
    @Override
    public String pattern() {
        return "streaming";
    }

    @Override
    public List<Class<?>> settings() {
        return List.of(StreamingSettings.class);
    }

    /**
     * The runner the settings describe, with the built-in connectors (and those on the class path, such as
     * {@code table:}).
     *
     * @throws ConfigurationException naming every required setting that is missing (source, sink, and the
     *         schema with {@code decode=json}) in one message, or the first setting that is wrong
     */
    @Override
    public StreamingRunner fromSettings(Settings settings) {
        String decode = settings.get(StreamingSettings.DECODE);
        List<Setting<?>> required = new ArrayList<>(List.of(StreamingSettings.SOURCE, StreamingSettings.SINK));
        if (decode.equals("json")) {
            required.add(StreamingSettings.SCHEMA);
        }
        settings.requireAll(required.toArray(Setting<?>[]::new));
        String schema = settings.get(StreamingSettings.SCHEMA);
        if (schema != null && !schema.isBlank() && !decode.equals("json")) {
            throw new ConfigurationException(StreamingSettings.SCHEMA.name() + " is set but " + StreamingSettings.DECODE.name()
                    + " is '" + decode + "': a schema goes with decode=json only");
        }
        Connectors connectors = Connectors.builtIn();
        Pipeline.Builder p = Pipeline.builder(PipelineKind.STREAMING)
                .name(settings.get(StreamingSettings.NAME))
                .source(connectors.source(settings.get(StreamingSettings.SOURCE)))
                .sink(connectors.sink(settings.get(StreamingSettings.SINK)))
                .decoder(switch (decode) {
                    case "text" -> RecordDecoder.text();
                    case "json" -> RecordDecoder.json(schema);
                    default -> RecordDecoder.none();
                });
        String sql = settings.get(StreamingSettings.SQL);
        if (sql != null && !sql.isBlank()) {
            p.process(Processor.sql(sql));
        }
        String dead = settings.get(StreamingSettings.DEAD_LETTERS);
        if (dead != null && !dead.isBlank()) {
            p.deadLetters(connectors.sink(dead));
        }
        StreamingRunner.Builder b = StreamingRunner.builder(p.build())
                .trigger(StreamTrigger.parse(settings.get(StreamingSettings.TRIGGER)))
                .outputMode(settings.get(StreamingSettings.OUTPUT_MODE))
                .backoff(Backoff.fromSettings(settings, "streaming"))
                .maxRestarts(settings.get(StreamingSettings.MAX_RESTARTS))
                .lagInterval(settings.get(StreamingSettings.LAG_INTERVAL))
                .tableMaxLimit(settings.get(StreamingSettings.TABLE_MAX_LIMIT));
        String checkpoint = settings.get(StreamingSettings.CHECKPOINT);
        if (checkpoint != null && !checkpoint.isBlank()) {
            b.checkpoint(checkpoint);
        }
        return b.build();
    }
}
