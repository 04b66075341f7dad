package ${package};

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.streaming.StreamTrigger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The service: {@link WordCounts}' pipeline run by a streaming runner, its table served over HTTP.
 *
 * <pre>
 * mvn -q compile exec:exec                     # local Spark, http://localhost:8080 (PORT changes it)
 * echo 'the quick brown fox jumps over the lazy dog' > data/incoming/lines-1.txt
 * curl 'localhost:8080/tables/word_counts?orderBy=count&amp;desc=true&amp;limit=3'
 * </pre>
 *
 * <p>Settings: {@link AppSettings}, {@code PORT} and the rest of kindling-core's service settings, the
 * streaming runner's ({@code KINDLING_STREAMING_BACKOFF_INITIAL}, ...), {@code SPARK_MASTER}.
 */
public final class App {
    private App() {
    }

    /** The service, not started; creates the folder of a {@code file:} source when it is missing. */
    public static KindlingService.Builder service(Settings settings) throws IOException {
        String source = prepare(settings.get(AppSettings.SOURCE));
        return KindlingService.builder("${artifactId}")
                .settings(settings)
                .sparkDefault("spark.sql.shuffle.partitions", "4")
                .component(WordCounts.runner(source, Path.of(settings.get(AppSettings.CHECKPOINT)).toAbsolutePath().toString(),
                        StreamTrigger.parse(settings.get(AppSettings.TRIGGER))));
    }

    /** A {@code file:} source's folder, created when missing and made absolute; other sources as they are. */
    static String prepare(String source) throws IOException {
        if (!source.startsWith("file:")) {
            return source;
        }
        int query = source.indexOf('?');
        String folder = query < 0 ? source.substring("file:".length()) : source.substring("file:".length(), query);
        return "file:" + Files.createDirectories(Path.of(folder)).toAbsolutePath() + (query < 0 ? "" : source.substring(query));
    }

    public static void main(String[] args) throws IOException {
        service(Settings.fromEnvironment()).run();
    }
}
