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
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>With {@code KINDLING_STREAMING_LEASE_STORE=jdbc:postgresql://...} the runner gets a lease named
 * {@code streaming/CHECKPOINT} ({@link StreamingSettings#LEASE_TTL}, {@link StreamingSettings#REPLICA_ID}), so
 * that replicas of the service can share the checkpoint.
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
        String store = settings.get(StreamingSettings.LEASE_STORE);
        if (store != null && !store.isBlank()) {
            if (checkpoint == null || checkpoint.isBlank()) {
                throw new ConfigurationException(StreamingSettings.LEASE_STORE.name() + " needs " + StreamingSettings.CHECKPOINT.name()
                        + ": replicas hand the queries over through their shared checkpoint, and the lease is named after it");
            }
            String location = checkpoint.endsWith("/") ? checkpoint.substring(0, checkpoint.length() - 1) : checkpoint;
            b.lease(lease(settings, store, location));
        }
        return b.build();
    }

    /** The query parameters of a lease-store URI that are Kindling's; the others go to the driver. */
    static final Set<String> LEASE_OPTIONS = Set.of("table", "user", "password", "password.env", "password.file");

    /**
     * The lease of the checkpoint from {@code kindling.streaming.lease-store} ({@code jdbc:postgresql://...?user=&password.env=&table=}),
     * {@code .lease-ttl} and {@code .replica-id}.
     *
     * @throws ConfigurationException for a URI that is not PostgreSQL's, a ttl under 1 s, a replica id out of bounds
     */
    static JdbcLease lease(Settings settings, String store, String checkpoint) {
        ConnectorUri uri = ConnectorUri.parse(store);
        if (!uri.scheme().equals("jdbc")) {
            throw new ConfigurationException(StreamingSettings.LEASE_STORE.name() + " is a jdbc:postgresql:// URI; got '" + uri.redacted() + "'");
        }
        Options options = Options.merge(uri, Map.of());
        JdbcLease.Builder lb = JdbcLease.builder(JdbcEndpoint.of(uri, options, LEASE_OPTIONS), Leadership.leaseName(checkpoint));
        options.get("table").ifPresent(lb::table);
        Duration ttl = settings.get(StreamingSettings.LEASE_TTL);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException(StreamingSettings.LEASE_TTL.name() + " must be at least 1s; got " + Setting.formatDuration(ttl));
        }
        lb.ttl(ttl);
        String id = settings.get(StreamingSettings.REPLICA_ID);
        if (id != null && !id.isBlank()) {
            lb.holder(id);
        }
        return lb.build();
    }
}
