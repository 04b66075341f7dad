package dev.kindling.examples.wordcount;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Processor;
import dev.kindling.service.ControlPlane;
import dev.kindling.service.ProblemException;
import dev.kindling.spark.SparkSessions;
import dev.kindling.streaming.QueryableTable;
import dev.kindling.streaming.RecordDecoder;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRoutes;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.streaming.StreamingSettings;
import dev.kindling.streaming.TableQuery;
import dev.kindling.testkit.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Word count as a streaming service: text lines from the Kafka topic {@code words} are split into
 * words and counted twice over, by two checkpointed queries:
 *
 * <ol>
 *   <li>into the queryable table {@code word_counts}: {@code GET /top?n=10} answers
 *       {@code [{"word": "the", "count": 42}, ...]} (most frequent first, ties by word), {@code GET /}
 *       is a page that shows the top words and refreshes itself, {@code GET /tables/word_counts?...}
 *       is the generic table API;</li>
 *   <li>into the topic {@code word-counts} (kappa): a JSON {@code {"word": ..., "count": ...}} update,
 *       keyed by the word, for each word whose count changed in a micro-batch.</li>
 * </ol>
 *
 * <p>Lines that are not valid UTF-8 go to the topic {@code words-dead-letters}. {@code /status}
 * shows both queries with their Kafka lag, {@code /metrics} the same for Prometheus.
 *
 * <pre>
 * bin/run-example wordcount                                   # embedded Kafka + producer + service, http://localhost:8080/
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 WORDCOUNT_CHECKPOINT=/var/lib/wordcount bin/run-example wordcount
 * spark-submit --class dev.kindling.examples.wordcount.WordCountApp kindling-example-wordcount-app.jar
 * </pre>
 *
 * <p>Settings: {@link WordCountSettings}, {@code PORT} (default 8080). With no bootstrap servers the
 * app starts a real Kafka broker in its own JVM (the testkit's, its jars resolved with Maven) and a
 * {@link WordProducer} of generated text; everything stops on Ctrl-C / SIGTERM.
 */
public final class WordCountApp {
    /** The processor both queries run. */
    public static final String SQL = "SELECT word, count(*) AS count FROM "
            + "(SELECT explode(split(lower(trim(value)), '\\\\s+')) AS word FROM input) WHERE word <> '' GROUP BY word";
    /**
     * How long a stop waits for a running micro-batch. Short, because with the embedded broker the
     * broker's own shutdown hook may stop it while a batch still talks to it.
     */
    static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(5);
    /** The largest {@code n} of {@code GET /top}. */
    public static final int MAX_TOP = 100;

    private final ControlPlane plane;
    private final StreamingRunner tableRunner;
    private final StreamingRunner kappaRunner;
    private final QueryableTable table;

    private WordCountApp(ControlPlane plane, StreamingRunner tableRunner, StreamingRunner kappaRunner, QueryableTable table) {
        this.plane = plane;
        this.tableRunner = tableRunner;
        this.kappaRunner = kappaRunner;
        this.table = table;
    }

    /**
     * Starts both queries and the HTTP server on {@code spark}; the caller owns {@code spark}.
     *
     * @param bootstrapServers Kafka, e.g. {@code 127.0.0.1:9092}
     * @param checkpoint       the checkpoint folder; the two queries use sub-folders
     */
    public static WordCountApp start(SparkSession spark, Settings settings, String bootstrapServers, Path checkpoint) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Connectors c = Connectors.builtIn();
        String kafka = "kafka://" + bootstrapServers + "/";
        String words = settings.get(WordCountSettings.WORDS_TOPIC);
        StreamTrigger trigger = StreamTrigger.parse(settings.get(WordCountSettings.TRIGGER));
        QueryableTable table = QueryableTable.keyedBy("word_counts", "word");
        StreamingRunner tableRunner = StreamingRunner.builder("word_counts")
                .source(c.source(kafka + words))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(SQL))
                .sink(table)
                .deadLetters(c.sink(kafka + settings.get(WordCountSettings.DEAD_LETTERS_TOPIC)))
                .checkpoint(checkpoint.resolve("table").toString())
                .trigger(trigger)
                .stopGrace(STOP_GRACE)
                .build();
        StreamingRunner kappaRunner = StreamingRunner.builder("kappa")
                .source(c.source(kafka + words))
                .decoder(RecordDecoder.text())
                .process(Processor.sql(SQL))
                .sink(c.sink(kafka + settings.get(WordCountSettings.COUNTS_TOPIC) + "?keyColumn=word"))
                .checkpoint(checkpoint.resolve("kappa").toString())
                .trigger(trigger)
                .stopGrace(STOP_GRACE)
                .build();
        String page = page();
        ControlPlane plane = ControlPlane.builder("wordcount")
                .settings(settings)
                .readiness("word_counts", tableRunner::isReady)
                .readiness("kappa", kappaRunner::isReady)
                .routes(StreamingRoutes.of(List.of(tableRunner, kappaRunner), settings.get(StreamingSettings.TABLE_MAX_LIMIT)))
                .routes(r -> {
                    r.get("/top", ctx -> ctx.json(top(table, ctx.queryParam("n"))));
                    r.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
                })
                .onShutdown("word_counts", tableRunner::stop)
                .onShutdown("kappa", kappaRunner::stop)
                .build();
        tableRunner.bindTo(plane.meterRegistry());
        kappaRunner.bindTo(plane.meterRegistry());
        tableRunner.start(spark);
        try {
            kappaRunner.start(spark);
            plane.start();
        } catch (RuntimeException e) {
            tableRunner.stop();
            kappaRunner.stop();
            throw e;
        }
        return new WordCountApp(plane, tableRunner, kappaRunner, table);
    }

    /** The {@code n} most frequent words, ties by word; {@code n} from 1 to {@link #MAX_TOP}, default 10. */
    static List<Map<String, Object>> top(QueryableTable table, String n) {
        int limit = 10;
        if (n != null) {
            try {
                limit = Integer.parseInt(n.trim());
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("n must be a whole number from 1 to " + MAX_TOP + "; got '"
                        + (n.length() > 20 ? n.substring(0, 20) + "..." : n) + "'");
            }
            if (limit < 1 || limit > MAX_TOP) {
                throw ProblemException.badRequest("n must be from 1 to " + MAX_TOP + "; got " + limit);
            }
        }
        return table.query(new TableQuery(Optional.of("count"), true, limit));
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

    public ControlPlane controlPlane() {
        return plane;
    }

    public QueryableTable table() {
        return table;
    }

    public List<StreamingRunner> runners() {
        return List.of(tableRunner, kappaRunner);
    }

    /** Stops the HTTP server and both queries (gracefully). */
    public void shutdown() {
        plane.shutdown();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println("usage: WordCountApp   (no arguments; settings from the environment)\n\n"
                    + Settings.describe(WordCountSettings.class));
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        String bootstrap = settings.get(WordCountSettings.BOOTSTRAP_SERVERS);
        KafkaBroker broker = null;
        WordProducer producer = null;
        Thread producerThread = null;
        if (bootstrap == null || bootstrap.isBlank()) {
            System.out.println("no KAFKA_BOOTSTRAP_SERVERS: starting an embedded Kafka broker (the first run resolves its jars with Maven)");
            broker = KafkaBroker.start();
            bootstrap = broker.bootstrapServers();
            broker.createTopic(settings.get(WordCountSettings.WORDS_TOPIC), 2);
            System.out.println("embedded Kafka broker on " + bootstrap);
        }
        String checkpointSetting = settings.get(WordCountSettings.CHECKPOINT);
        Path checkpoint = checkpointSetting == null || checkpointSetting.isBlank()
                ? Files.createTempDirectory("kindling-wordcount-") : Path.of(checkpointSetting);
        SparkSession spark = SparkSessions.create("wordcount", Map.of("spark.sql.shuffle.partitions", "4"), settings);
        WordCountApp app = start(spark, settings, bootstrap, checkpoint);
        if (broker != null) {
            producer = new WordProducer(bootstrap, settings.get(WordCountSettings.WORDS_TOPIC),
                    settings.get(WordCountSettings.PRODUCER_RATE), System.nanoTime());
            WordProducer p = producer;
            producerThread = new Thread(() -> {
                try {
                    p.run(-1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "wordcount-producer");
            producerThread.setDaemon(true);
            producerThread.start();
            System.out.println("producing " + settings.get(WordCountSettings.PRODUCER_RATE) + " generated lines per second");
        }
        System.out.println("wordcount: http://localhost:" + app.controlPlane().port() + "/  (checkpoint " + checkpoint + ")");
        app.controlPlane().installShutdownHook();
        app.controlPlane().awaitShutdown();
        if (producer != null) {
            producer.close();
        }
        spark.stop();
        if (broker != null) {
            broker.close();
        }
    }
}
