package dev.kindling.examples.recommender;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Failures;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.PostgresServer;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommender service: a continuous ALS {@link Modeler} and an on-demand {@link Predictor} in one
 * process, behind one control plane.
 *
 * <pre>
 * bin/run-example recommender            # embedded PostgreSQL, seeded ratings, generator on, port 8080
 * curl -X POST 'localhost:8080/predictions/ranks?wait=10s' -H 'Content-Type: application/json' -d '{"user": 1, "topk": 5}'
 * curl localhost:8080/models ; curl localhost:8080/status ; curl -X POST 'localhost:8080/cycles?wait=120s'
 * </pre>
 *
 * <p>{@code RECOMMENDER_JDBC_URL} is required: a packaged app without it stops at once with one line
 * that names it. With {@code KINDLING_EMBEDDED=true} (what {@code bin/run-example} sets) and no URL,
 * it starts an embedded PostgreSQL (the testkit's {@link PostgresServer}), creates the schema,
 * seeds {@code recommender.seed.ratings} ratings and keeps the generator running. See
 * {@link RecommenderSettings} for every setting; the control plane's are in kindling-core
 * ({@code PORT}, ...), the modeler's backoff and readiness in kindling-continuous.
 */
public final class RecommenderApp {
    private static final Logger LOG = LoggerFactory.getLogger(RecommenderApp.class);

    /** The one line a packaged app prints (and exits with 2) when no database is configured. */
    static final String MISSING_DATABASE = "recommender: set RECOMMENDER_JDBC_URL to the PostgreSQL database (jdbc:postgresql://host:5432/db); "
            + "KINDLING_EMBEDDED=true starts an embedded PostgreSQL instead (bin/run-example sets it)";

    private RecommenderApp() {
    }

    /**
     * The recommender on {@code db} as one service builder: the modeler (continuous), the predictor's
     * jobs (on demand), the ratings generator, and the predictor's routes. Creates the schema and
     * seeds ratings into an empty table first. Readiness ({@code GET /readyz}) also checks that the
     * database answers (the check {@code "database URL"}, which the modeler's source and the predictor's jobs
     * declare). Add resources (an embedded database) and build.
     */
    public static KindlingService.Builder service(JdbcEndpoint db, Settings settings, String modelsDir) {
        NativeBlas.configure(); // one line saying which BLAS the fits use, instead of the loader's raw ones
        RecommenderSchema.create(db);
        double reg;
        try {
            reg = Double.parseDouble(settings.get(RecommenderSettings.ALS_REG_PARAM));
        } catch (NumberFormatException e) {
            throw new ConfigurationException("setting " + RecommenderSettings.ALS_REG_PARAM.name() + " must be a number >= 0");
        }
        AlsParams params = new AlsParams(settings.get(RecommenderSettings.ALS_RANK), settings.get(RecommenderSettings.ALS_MAX_ITER), reg, 42);
        RatingsGenerator generator = new RatingsGenerator(settings.get(RecommenderSettings.USERS),
                settings.get(RecommenderSettings.PRODUCTS), 7);
        if (count(db) == 0) {
            generator.insert(db, settings.get(RecommenderSettings.SEED_RATINGS));
        }
        return components(db, settings, modelsDir, params, generator);
    }

    private static KindlingService.Builder components(JdbcEndpoint db, Settings settings, String modelsDir, AlsParams params,
                                                      RatingsGenerator generator) {
        Predictor predictor = new Predictor(db);
        // tag::service[]
        return KindlingService.builder("recommender")
                .settings(settings)
                .component(Modeler.runner(db, modelsDir, params, settings.get(RecommenderSettings.INTERVAL)).build())
                .component(predictor.jobs())
                .component(new RatingsFeed(generator, db, settings.get(RecommenderSettings.GENERATOR_RATE)))
                .routes(predictor::routes);
        // end::service[]
    }

    private static long count(JdbcEndpoint db) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM ratings")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw Failures.fromSql("cannot count the ratings", e);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 0) {
            LOG.error("usage: RecommenderApp   (configured by environment variables; see RecommenderSettings)");
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        String url = settings.get(RecommenderSettings.JDBC_URL);
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (url == null && !settings.get(RecommenderSettings.EMBEDDED)) {
            System.err.println(MISSING_DATABASE);
            System.exit(2);
            return;
        }
        PostgresServer embedded = null;
        JdbcEndpoint db;
        if (url == null) {
            embedded = PostgresServer.startWithoutShutdownHook(); // the service closes it, after Spark
            db = embedded.jdbcEndpoint("postgres");
            LOG.info("recommender: embedded PostgreSQL at {}", db.url());
        } else {
            String password = settings.get(RecommenderSettings.JDBC_PASSWORD);
            db = new JdbcEndpoint(url, settings.get(RecommenderSettings.JDBC_USER), password == null ? null : Secret.of(password));
            if (settings.raw(RecommenderSettings.GENERATOR_RATE.name()).isEmpty()) {
                settings = settings.with(Map.of(RecommenderSettings.GENERATOR_RATE.name(), "0"));
            }
        }
        String modelsDir = settings.get(RecommenderSettings.MODELS_DIR);
        if (modelsDir == null) {
            modelsDir = Files.createTempDirectory("kindling-recommender-models-").toString();
        }
        LOG.info("recommender: models in {}; try curl -X POST 'localhost:{}/predictions/ranks?wait=10s' -H 'Content-Type: application/json' -d '{\"user\": 1, \"topk\": 5}'",
                modelsDir, settings.get(dev.kindling.service.ServiceSettings.PORT));
        KindlingService.Builder service = service(db, settings, modelsDir);
        if (embedded != null) {
            service.resource("embedded PostgreSQL", embedded);
        }
        service.run();
    }
}
