package dev.kindling.continuous.internal;

import dev.kindling.config.Settings;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Options;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.continuous.FileWatermarkStore;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.continuous.WatermarkStore;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A runner from settings alone ({@link ContinuousSettings}): the pipeline from the source and sink
 * URIs and the SQL, the progress holder of the mode, and the operational options.
 *
 * <pre>{@code
 * ContinuousRunner runner = SettingsAssembly.runner(Settings.fromEnvironment()).build();
 * }</pre>
 */
public final class SettingsAssembly {
    /** The query parameters of a JDBC watermark-store URI that are Kindling's; the others go to the driver. */
    static final Set<String> STORE_OPTIONS = Set.of("table", "user", "password", "password.env", "password.file");

    private SettingsAssembly() {
    }

    /**
     * The runner's builder from {@code settings}.
     *
     * @throws ConfigurationException naming every missing setting (in one message), or the one that is wrong
     */
    public static ContinuousRunner.Builder runner(Settings settings) {
        String mode = settings.get(ContinuousSettings.MODE);
        boolean incremental = mode.equals("incremental");
        if (incremental) {
            settings.requireAll(ContinuousSettings.SOURCE, ContinuousSettings.SINK);
        } else {
            settings.requireAll(ContinuousSettings.SOURCE, ContinuousSettings.SINK, ContinuousSettings.CHECKPOINT);
        }
        String name = settings.get(ContinuousSettings.NAME);
        ContinuousRunner.Builder rb = ContinuousRunner.builder(pipeline(settings, name, incremental, Connectors.builtIn()))
                .interval(settings.get(ContinuousSettings.INTERVAL))
                .backoff(settings.get(ContinuousSettings.BACKOFF_INITIAL), settings.get(ContinuousSettings.BACKOFF_MAX))
                .unreadyAfterFailures(settings.get(ContinuousSettings.UNREADY_AFTER_FAILURES))
                .stopAfterFailures(settings.get(ContinuousSettings.STOP_AFTER_FAILURES))
                .startPaused(settings.get(ContinuousSettings.START_PAUSED));
        String store = settings.get(ContinuousSettings.WATERMARK_STORE);
        String checkpoint = settings.get(ContinuousSettings.CHECKPOINT);
        if (incremental) {
            if (checkpoint != null) {
                throw new ConfigurationException(ContinuousSettings.CHECKPOINT.name() + " and " + ContinuousSettings.MODE.name()
                        + "=incremental exclude each other: the incremental mode keeps its progress in "
                        + ContinuousSettings.WATERMARK_STORE.name());
            }
            return rb.watermarkStore(store == null
                    ? new FileWatermarkStore(Path.of("kindling-state", name + ".watermark"))
                    : watermarkStore(store, name));
        }
        if (store != null) {
            throw new ConfigurationException(ContinuousSettings.WATERMARK_STORE.name() + " and " + ContinuousSettings.MODE.name()
                    + "=available-now exclude each other: that mode keeps its progress in " + ContinuousSettings.CHECKPOINT.name());
        }
        return rb.checkpoint(checkpoint).outputMode(settings.get(ContinuousSettings.OUTPUT_MODE));
    }

    private static Pipeline pipeline(Settings settings, String name, boolean incremental, Connectors connectors) {
        Map<String, String> sourceOptions = new HashMap<>();
        String column = settings.get(ContinuousSettings.WATERMARK_COLUMN);
        if (column != null) {
            if (!incremental) {
                throw new ConfigurationException(ContinuousSettings.WATERMARK_COLUMN.name() + " and "
                        + ContinuousSettings.MODE.name() + "=available-now exclude each other: Spark's checkpoint tracks what was read");
            }
            sourceOptions.put("watermarkColumn", column);
        }
        Pipeline.Builder pb = Pipeline.builder(incremental ? PipelineKind.INCREMENTAL : PipelineKind.STREAMING)
                .name(name)
                .source(connectors.source(settings.get(ContinuousSettings.SOURCE), sourceOptions))
                .sink(connectors.sink(settings.get(ContinuousSettings.SINK)));
        String sql = settings.get(ContinuousSettings.SQL);
        if (sql != null && !sql.isBlank()) {
            pb.process(Processor.sql(sql));
        }
        return pb.build();
    }

    /**
     * A watermark store from a URI: {@code file:/path}, or
     * {@code jdbc:...?table=T&user=U&password.env=V} (table default {@code kindling_watermarks}; the
     * driver's own parameters, such as {@code sslmode}, stay in the JDBC URL).
     *
     * @throws ConfigurationException for another scheme, or options a file store does not take
     */
    public static WatermarkStore watermarkStore(String uri, String pipelineName) {
        ConnectorUri parsed = ConnectorUri.parse(uri);
        switch (parsed.scheme()) {
            case "file" -> {
                if (!parsed.query().isEmpty()) {
                    throw new ConfigurationException("a file watermark store takes no options; got " + parsed.query().keySet());
                }
                return new FileWatermarkStore(Path.of(parsed.path()));
            }
            case "jdbc" -> {
                Options options = Options.merge(parsed, Map.of());
                JdbcWatermarkStore.Builder b = JdbcWatermarkStore.builder(JdbcEndpoint.of(parsed, options, STORE_OPTIONS), pipelineName);
                options.get("table").ifPresent(b::table);
                return b.build();
            }
            default -> throw new ConfigurationException("a watermark store URI starts with file: or jdbc:; got '" + parsed.redacted() + "'");
        }
    }
}
