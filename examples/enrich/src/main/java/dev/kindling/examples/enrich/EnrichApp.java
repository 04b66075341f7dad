package dev.kindling.examples.enrich;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.KindlingService;
import dev.kindling.streaming.StreamTrigger;
import dev.kindling.streaming.StreamingRunner;
import dev.kindling.testkit.EmbeddedKafka;
import dev.kindling.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Order enrichment as a kappa service in Spark's real-time mode: JSON orders from the Kafka topic {@code orders} are
 * checked, joined with the products table and written to the topic {@code orders-enriched}; orders that cannot be
 * enriched go to {@code orders-dead-letters}. Two components in one {@link KindlingService}:
 *
 * <ol>
 *   <li>{@code products} ({@link ProductsRefresh}, a continuous runner): every few seconds it asks the PostgreSQL table
 *       {@code products} for changed rows and writes them into a new Parquet {@linkplain ProductSnapshots snapshot};</li>
 *   <li>{@code orders} ({@link OrderEnrichment}, a streaming runner, trigger {@code auto}): a stream-static join of the
 *       orders with the newest snapshot, in real-time mode when the free task slots allow it (each order is
 *       written as it arrives; progress checkpointed every 5 s), else in micro-batches every 5 s; {@code GET /status}
 *       says which ({@code components.orders.details.trigger}, and {@code triggerReason} when it fell back).</li>
 * </ol>
 *
 * <p>Why a snapshot and not the PostgreSQL table itself: real-time mode runs only operators that emit records as they
 * come, and a JDBC scan is not one of them, so the static side of the join is a Parquet file scan.
 *
 * <pre>
 * bin/run-example enrich                 # embedded Kafka + producer, embedded PostgreSQL + sample products, service
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 ENRICH_JDBC_URL=jdbc:postgresql://db:5432/shop ENRICH_CHECKPOINT=/var/lib/enrich bin/run-example enrich
 * </pre>
 *
 * <p>Settings: {@link EnrichSettings}, {@code PORT} (default 8080) and the other service settings. A packaged app
 * without {@code KAFKA_BOOTSTRAP_SERVERS} or {@code ENRICH_JDBC_URL} stops at once with one line that names what is
 * missing. With {@code KINDLING_EMBEDDED=true} (what {@code bin/run-example} sets) it starts the testkit's
 * {@link EmbeddedKafka} (a real broker in a process session of its own, and an {@link OrderProducer} of generated
 * orders) and {@link PostgresServer} (an embedded PostgreSQL) with sample products instead, which the service closes
 * last, after the runners and Spark.
 */
public final class EnrichApp {
    private static final Logger LOG = LoggerFactory.getLogger(EnrichApp.class);

    /** How long the orders query's start waits for the first products snapshot before it is retried. */
    static final Duration FIRST_SNAPSHOT_WAIT = Duration.ofSeconds(60);

    private EnrichApp() {
    }

    /** The one line a packaged app prints (and exits with 2) when {@code missing} (the names of unset variables) is not empty. */
    static String missing(List<String> missing) {
        return "enrich: set " + String.join(" and ", missing.stream().map(m -> m.equals("KAFKA_BOOTSTRAP_SERVERS")
                ? "KAFKA_BOOTSTRAP_SERVERS to the Kafka brokers (host:port,...)"
                : "ENRICH_JDBC_URL to the PostgreSQL database (jdbc:postgresql://host:5432/db)").toList())
                + "; KINDLING_EMBEDDED=true starts an embedded one instead (bin/run-example sets it)";
    }

    /**
     * The service, not started: the products refresh reading {@code db} and the orders runner reading
     * {@code bootstrapServers}. Creates the table {@code products} when it is missing. The runners declare the brokers
     * and the database as their dependencies, so {@code GET /readyz} turns 503 while either does not answer.
     *
     * @param checkpoint the folder of the orders query's checkpoint ({@code orders/}), the refresh's watermark
     *                   ({@code products.watermark}) and the products snapshots ({@code products/}); a local or mounted
     *                   folder that the driver and every executor see
     */
    public static KindlingService.Builder service(Settings settings, String bootstrapServers, JdbcEndpoint db, Path checkpoint) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Connectors c = Connectors.builtIn();
        String kafka = "kafka://" + bootstrapServers + "/";
        String deadLetters = settings.get(EnrichSettings.DEAD_LETTERS_TOPIC);
        StreamTrigger trigger = StreamTrigger.parse(settings.get(EnrichSettings.TRIGGER));
        ProductsRefresh.createTable(db);
        ProductSnapshots snapshots = new ProductSnapshots(checkpoint.resolve("products"), FIRST_SNAPSHOT_WAIT);
        // tag::service[]
        return KindlingService.builder("enrich")
                .settings(settings)
                // The products table lives in Spark's catalog: its warehouse folder beside the checkpoint, not in the working directory.
                .sparkDefault("spark.sql.warehouse.dir", checkpoint.resolve("spark-warehouse").toAbsolutePath().toUri().toString())
                .component(ProductsRefresh.runner(db, snapshots, checkpoint.resolve("products.watermark"),
                        settings.get(EnrichSettings.PRODUCTS_INTERVAL)))
                .component(StreamingRunner.builder(OrderEnrichment.pipeline(
                                c.source(kafka + settings.get(EnrichSettings.ORDERS_TOPIC)),
                                snapshots,
                                new OrdersSink(bootstrapServers, settings.get(EnrichSettings.ENRICHED_TOPIC), deadLetters),
                                c.sink(kafka + deadLetters)))
                        .checkpoint(checkpoint.resolve("orders").toString())
                        .trigger(trigger)                              // auto: real-time mode when it can
                        .build());
        // end::service[]
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", r, e.toString());
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            LOG.error("usage: EnrichApp takes no arguments; it is configured by the settings below\n\n{}",
                    Settings.describe(EnrichSettings.class));
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        String bootstrap = settings.get(EnrichSettings.BOOTSTRAP_SERVERS);
        String url = settings.get(EnrichSettings.JDBC_URL);
        boolean noBroker = bootstrap == null || bootstrap.isBlank();
        boolean noDatabase = url == null || url.isBlank();
        if ((noBroker || noDatabase) && !settings.get(EnrichSettings.EMBEDDED)) {
            List<String> missing = new ArrayList<>();
            if (noBroker) {
                missing.add("KAFKA_BOOTSTRAP_SERVERS");
            }
            if (noDatabase) {
                missing.add("ENRICH_JDBC_URL");
            }
            System.err.println(missing(missing));
            System.exit(2);
            return;
        }
        EmbeddedKafka kafka = null;
        PostgresServer database = null;
        KindlingService.Builder service;
        try {
            if (noBroker) {
                LOG.info("no KAFKA_BOOTSTRAP_SERVERS: starting an embedded Kafka broker (the first run resolves its jars with Maven)");
                // one partition each: the orders query then holds one task slot in real-time mode, and its dead-letter
                // query one more, which two cores can give
                kafka = EmbeddedKafka.start(settings.get(EnrichSettings.ORDERS_TOPIC), 1, settings.get(EnrichSettings.PRODUCER_RATE),
                        OrderProducer::create, settings.get(EnrichSettings.ENRICHED_TOPIC), settings.get(EnrichSettings.DEAD_LETTERS_TOPIC));
                bootstrap = kafka.bootstrapServers();
                LOG.info("embedded Kafka broker on {}; producing {} generated orders per second", bootstrap,
                        settings.get(EnrichSettings.PRODUCER_RATE));
            }
            JdbcEndpoint db;
            if (noDatabase) {
                database = PostgresServer.startWithoutShutdownHook(); // the service closes it, after Spark
                db = database.jdbcEndpoint("postgres");
                LOG.info("no ENRICH_JDBC_URL: embedded PostgreSQL at {} with the sample products p-1 to p-10", db.url());
            } else {
                String password = settings.get(EnrichSettings.JDBC_PASSWORD);
                db = new JdbcEndpoint(url, settings.get(EnrichSettings.JDBC_USER), password == null ? null : Secret.of(password));
            }
            String checkpointSetting = settings.get(EnrichSettings.CHECKPOINT);
            Path checkpoint = checkpointSetting == null || checkpointSetting.isBlank()
                    ? Files.createTempDirectory("kindling-enrich-") : Path.of(checkpointSetting);
            LOG.info("checkpoint {}", checkpoint);
            service = service(settings, bootstrap, db, checkpoint);
            if (database != null) {
                ProductsRefresh.seed(db);
            }
        } catch (ConfigurationException e) {
            LOG.error("enrich: configuration error: {}", e.getMessage());
            closeQuietly(kafka, database);
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            closeQuietly(kafka, database);
            throw e;
        }
        if (kafka != null) {
            service.resource("embedded Kafka broker", kafka); // closed last: after the runners and Spark
        }
        if (database != null) {
            service.resource("embedded PostgreSQL", database);
        }
        service.run();
    }
}
