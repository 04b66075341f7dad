package dev.kindling.examples.recommender;

import dev.kindling.config.Setting;
import java.time.Duration;

/**
 * The recommender's settings (system property, environment variable, or {@code KINDLING_CONFIG} file).
 *
 * <pre>{@code
 * RECOMMENDER_JDBC_URL=jdbc:postgresql://db:5432/shop RECOMMENDER_JDBC_USER=app RECOMMENDER_JDBC_PASSWORD=... bin/run-example recommender
 * }</pre>
 */
public final class RecommenderSettings {
    private RecommenderSettings() {
    }

    public static final Setting<String> JDBC_URL = Setting.string("recommender.jdbc.url", null,
            "PostgreSQL JDBC URL holding ratings and models; unset: the app stops at once naming RECOMMENDER_JDBC_URL, unless "
                    + "KINDLING_EMBEDDED=true starts an embedded PostgreSQL with seeded ratings and a running generator");
    /** The embedded default is a {@code bin/run-example} convenience: an app jar never starts a database unasked. */
    public static final Setting<Boolean> EMBEDDED = Setting.bool("kindling.embedded", false,
            "true: with no RECOMMENDER_JDBC_URL, start an embedded PostgreSQL (bin/run-example sets it); false: the URL is required")
            .env("KINDLING_EMBEDDED");
    public static final Setting<String> JDBC_USER = Setting.string("recommender.jdbc.user", "postgres", "Database user");
    public static final Setting<String> JDBC_PASSWORD = Setting.secret("recommender.jdbc.password", "Database password (none by default)");
    public static final Setting<String> MODELS_DIR = Setting.string("recommender.models.dir", null,
            "Folder (or Hadoop URI) of the model versions; unset: a new temporary folder");
    public static final Setting<Duration> INTERVAL = Setting.duration("recommender.interval", Duration.ofSeconds(30),
            "Pause between modeler cycles");
    public static final Setting<Integer> SEED_RATINGS = Setting.integer("recommender.seed.ratings", 20_000, 0, 10_000_000,
            "Ratings inserted at start when the ratings table is empty");
    public static final Setting<Integer> GENERATOR_RATE = Setting.integer("recommender.generator.rate", 5, 0, 100_000,
            "Ratings per second the generator inserts; 0 turns it off (with an external database it is off unless set)");
    public static final Setting<Integer> USERS = Setting.integer("recommender.generator.users", 1000, 1, 10_000_000,
            "Users of the synthetic ratings (ids 1..N)");
    public static final Setting<Integer> PRODUCTS = Setting.integer("recommender.generator.products", 200, 1, 10_000_000,
            "Products of the synthetic ratings (ids 1..N)");
    public static final Setting<Integer> ALS_RANK = Setting.integer("recommender.als.rank", 10, 1, 500, "ALS latent factors");
    public static final Setting<Integer> ALS_MAX_ITER = Setting.integer("recommender.als.max-iter", 10, 1, 100, "ALS iterations");
    public static final Setting<String> ALS_REG_PARAM = Setting.string("recommender.als.reg-param", "0.1",
            "ALS regularization, a number >= 0");
}
