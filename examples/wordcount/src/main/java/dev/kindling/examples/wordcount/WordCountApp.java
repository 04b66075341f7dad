package dev.kindling.examples.wordcount;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.service.KindlingService;
import dev.kindling.service.QueryParams;
import dev.kindling.service.Routes;
import dev.kindling.streaming.QueryableTable;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.streaming.TableQuery;
import dev.kindling.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Word count as a streaming service: text lines from the Kafka topic {@code words} are split into
 * words and counted twice over, by two checkpointed {@link StreamingRunner}s in one
 * {@link KindlingService}:
 *
 * <ol>
 *   <li>{@code word_counts}, into the queryable table {@code word_counts}: {@code GET /top?n=10} answers
 *       {@code [{"word": "the", "count": 42}, ...]} (most frequent first, ties by word), {@code GET /}
 *       is a page that shows the top words and refreshes itself, {@code GET /tables/word_counts?...}
 *       is the runner's generic table route;</li>
 *   <li>{@code kappa}, into the topic {@code word-counts}: a JSON {@code {"word": ..., "count": ...}}
 *       update, keyed by the word, for each word whose count changed in a micro-batch.</li>
 * </ol>
 *
 * <p>Lines that are not valid UTF-8 go to the topic {@code words-dead-letters}. {@code /status}
 * shows both runners with their Kafka lag, {@code /metrics} the same for Prometheus.
 *
 * <pre>
 * bin/run-example wordcount                                   # embedded Kafka + producer + service, http://localhost:8080/
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 WORDCOUNT_CHECKPOINT=/var/lib/wordcount bin/run-example wordcount
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 spark-submit --class dev.kindling.examples.wordcount.WordCountApp kindling-example-wordcount-app.jar
 * </pre>
 *
 * <p>Settings: {@link WordCountSettings}, {@code PORT} (default 8080) and the other service settings.
 * {@code KAFKA_BOOTSTRAP_SERVERS} is required: a packaged app without it stops at once with one line
 * that names it. With {@code KINDLING_EMBEDDED=true} (what {@code bin/run-example} sets) and no
 * bootstrap servers the app starts the testkit's {@link EmbeddedKafka} (a real broker in a process
 * session of its own, and a {@link WordProducer} of generated text) that the service closes last, after the
 * runners and Spark; so Ctrl-C reaches the service only, and the queries stop while the broker is
 * still there.
 */
public final class WordCountApp {
    private static final Logger LOG = LoggerFactory.getLogger(WordCountApp.class);

    /** The processor both runners run. */
    // tag::sql[]
    public static final String SQL = "SELECT word, count(*) AS count FROM "
            + "(SELECT explode(split(lower(trim(value)), '\\\\s+')) AS word FROM input) WHERE word <> '' GROUP BY word";
    // end::sql[]
    /** The one line a packaged app prints (and exits with 2) when no broker is configured. */
    static final String MISSING_BROKER = "wordcount: set KAFKA_BOOTSTRAP_SERVERS to the Kafka brokers (host:port,...); "
            + "KINDLING_EMBEDDED=true starts an embedded broker instead (bin/run-example sets it)";
    /** The largest {@code n} of {@code GET /top}. */
    public static final int MAX_TOP = 100;

    private WordCountApp() {
    }

    /**
     * The service, not started: both runners reading {@code bootstrapServers} and the app's routes. The runners
     * declare the brokers as their dependency, so {@code GET /readyz} has a check {@code "kafka SERVERS"} that
     * turns 503 while the brokers do not answer.
     *
     * @param checkpoint the checkpoint folder; the two runners use sub-folders
     */
    public static KindlingService.Builder service(Settings settings, String bootstrapServers, Path checkpoint) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Connectors c = Connectors.builtIn();
        String kafka = "kafka://" + bootstrapServers + "/";
        String words = kafka + settings.get(WordCountSettings.WORDS_TOPIC);
        StreamTrigger trigger = StreamTrigger.parse(settings.get(WordCountSettings.TRIGGER));
        // tag::service[]
        QueryableTable table = QueryableTable.keyedBy("word_counts", "word");
        return KindlingService.builder("wordcount")
                .settings(settings)
                .sparkDefault("spark.sql.shuffle.partitions", "4")
                .component(StreamingRunner.builder(wordCount("word_counts", c, words)
                                .sink(table)
                                .deadLetters(c.sink(kafka + settings.get(WordCountSettings.DEAD_LETTERS_TOPIC)))
                                .build())
                        .checkpoint(checkpoint.resolve("table").toString())
                        .trigger(trigger)
                        .build())
                .component(StreamingRunner.builder(wordCount("kappa", c, words)
                                .sink(c.sink(kafka + settings.get(WordCountSettings.COUNTS_TOPIC) + "?keyColumn=word"))
                                .build())
                        .checkpoint(checkpoint.resolve("kappa").toString())
                        .trigger(trigger)
                        .build())
                .routes(routes(table, page()));
        // end::service[]
    }

    // tag::pipeline[]
    private static Pipeline.Builder wordCount(String name, Connectors c, String source) {
        return Pipeline.builder(PipelineKind.STREAMING).name(name)
                .source(c.source(source))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(SQL));
    // end::pipeline[]
    }

    /** {@code GET /top?n=N} and {@code GET /}. */
    static Consumer<Routes> routes(QueryableTable table, String page) {
        return r -> r
                .get("/top", "the n most frequent words, ties by word (?n= 1..100, default 10)",
                        ctx -> ctx.json(top(table, QueryParams.integer(ctx, "n", 10, 1, MAX_TOP))))
                .get("/", "a page that shows the top words and refreshes itself", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
    }

    /** The {@code n} most frequent words, ties by word. */
    static List<Map<String, Object>> top(QueryableTable table, int n) {
        return table.query(new TableQuery(Optional.of("count"), true, n));
    }

    private static String page() {
        try (InputStream in = WordCountApp.class.getResourceAsStream("/wordcount/index.html")) {
            if (in == null) {
                throw new IllegalStateException("wordcount/index.html is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read wordcount/index.html", e);
        }
    }

    private static void closeQuietly(EmbeddedKafka embedded) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            LOG.error("usage: WordCountApp takes no arguments; it is configured by the settings below\n\n{}",
                    Settings.describe(WordCountSettings.class));
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        String bootstrap = settings.get(WordCountSettings.BOOTSTRAP_SERVERS);
        EmbeddedKafka embedded = null;
        if ((bootstrap == null || bootstrap.isBlank()) && !settings.get(WordCountSettings.EMBEDDED)) {
            System.err.println(MISSING_BROKER);
            System.exit(2);
            return;
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            LOG.info("no KAFKA_BOOTSTRAP_SERVERS: starting an embedded Kafka broker (the first run resolves its jars with Maven)");
            embedded = EmbeddedKafka.start(settings.get(WordCountSettings.WORDS_TOPIC), 2, settings.get(WordCountSettings.PRODUCER_RATE),
                    WordProducer::create, settings.get(WordCountSettings.COUNTS_TOPIC), settings.get(WordCountSettings.DEAD_LETTERS_TOPIC));
            bootstrap = embedded.bootstrapServers();
            LOG.info("embedded Kafka broker on {}; producing {} generated lines per second", bootstrap,
                    settings.get(WordCountSettings.PRODUCER_RATE));
        }
        KindlingService.Builder service;
        try {
            String checkpointSetting = settings.get(WordCountSettings.CHECKPOINT);
            Path checkpoint = checkpointSetting == null || checkpointSetting.isBlank()
                    ? Files.createTempDirectory("kindling-wordcount-") : Path.of(checkpointSetting);
            LOG.info("checkpoint {}", checkpoint);
            service = service(settings, bootstrap, checkpoint);
        } catch (ConfigurationException e) {
            LOG.error("wordcount: configuration error: {}", e.getMessage());
            closeQuietly(embedded);
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            closeQuietly(embedded);
            throw e;
        }
        if (embedded != null) {
            service.resource("embedded Kafka broker", embedded); // closed last: after the runners and Spark
        }
        service.run();
    }
}
