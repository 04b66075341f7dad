package dev.kindling.examples.enrich;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * Settings of the enrich example (besides {@code PORT} and the other control-plane settings).
 *
 * <pre>{@code
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 ENRICH_JDBC_URL=jdbc:postgresql://db:5432/shop ENRICH_CHECKPOINT=/var/lib/enrich bin/run-example enrich
 * }</pre>
 */
public final class EnrichSettings {
    private EnrichSettings() {
    }

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.string("kindling.enrich.bootstrap-servers", "",
            "Kafka bootstrap servers (host:port,...). Empty: the app stops at once naming this variable, unless "
                    + "KINDLING_EMBEDDED=true starts an embedded broker and a producer of generated orders.")
            .env("KAFKA_BOOTSTRAP_SERVERS");

    public static final Setting<String> JDBC_URL = Setting.string("kindling.enrich.jdbc-url", "",
            "PostgreSQL JDBC URL of the database that holds the products table (jdbc:postgresql://host:5432/db). Empty: the app "
                    + "stops at once naming this variable, unless KINDLING_EMBEDDED=true starts an embedded PostgreSQL with sample products.")
            .env("ENRICH_JDBC_URL");

    public static final Setting<String> JDBC_USER = Setting.string("kindling.enrich.jdbc-user", "postgres",
            "The database user.").env("ENRICH_JDBC_USER");

    public static final Setting<String> JDBC_PASSWORD = Setting.secret("kindling.enrich.jdbc-password",
            "The database password (none by default).").env("ENRICH_JDBC_PASSWORD");

    /** The embedded default is a {@code bin/run-example} convenience: an app jar never starts a broker or a database unasked. */
    public static final Setting<Boolean> EMBEDDED = Setting.bool("kindling.embedded", false,
            "true: with no KAFKA_BOOTSTRAP_SERVERS (or no ENRICH_JDBC_URL), start an embedded Kafka broker and a producer of "
                    + "generated orders (or an embedded PostgreSQL with sample products); bin/run-example sets it. false: both are required.")
            .env("KINDLING_EMBEDDED");

    public static final Setting<String> ORDERS_TOPIC = Setting.string("kindling.enrich.orders-topic", "orders",
            "The topic of JSON orders {\"orderId\", \"productId\", \"quantity\"}.").env("ENRICH_ORDERS_TOPIC");

    public static final Setting<String> ENRICHED_TOPIC = Setting.string("kindling.enrich.enriched-topic", "orders-enriched",
            "The topic that receives each valid order with its product: {\"orderId\", \"productId\", \"quantity\", \"name\", "
                    + "\"price\", \"total\"}, keyed by orderId.").env("ENRICH_ENRICHED_TOPIC");

    public static final Setting<String> DEAD_LETTERS_TOPIC = Setting.string("kindling.enrich.dead-letters-topic", "orders-dead-letters",
            "The topic that receives orders that are malformed, have a quantity below 1 or name an unknown product, with the "
                    + "reason in the header kindling.error.").env("ENRICH_DEAD_LETTERS_TOPIC");

    public static final Setting<String> CHECKPOINT = Setting.string("kindling.enrich.checkpoint", "",
            "The folder of the checkpoints and of the product snapshots. Empty: a new temporary folder (orders are read "
                    + "from the start of the topic on each run).").env("ENRICH_CHECKPOINT");

    public static final Setting<String> TRIGGER = Setting.string("kindling.enrich.trigger", "auto",
            "How the orders query runs: 'auto' (real-time mode when the query and the free task slots allow it, else a "
                    + "micro-batch every 5 s), 'real-time' (or fail the start), 'real-time:10s' / 'auto:10s' (the checkpoint "
                    + "interval), or a micro-batch interval such as 2s.").env("ENRICH_TRIGGER");

    public static final Setting<Duration> PRODUCTS_INTERVAL = Setting.duration("kindling.enrich.products-interval", Duration.ofSeconds(5),
            "How often the products table is asked for changed rows (a cycle that finds none runs no Spark job).")
            .env("ENRICH_PRODUCTS_INTERVAL");

    public static final Setting<Integer> PRODUCER_RATE = Setting.integer("kindling.enrich.producer-rate", 5, 1, 100_000,
            "Orders per second the embedded default's producer sends (one in ten is invalid).").env("ENRICH_PRODUCER_RATE");
}
