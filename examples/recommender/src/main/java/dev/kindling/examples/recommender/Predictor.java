package dev.kindling.examples.recommender;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobService;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.service.Json;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.QueryParams;
import dev.kindling.service.Routes;
import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;

/**
 * The on-demand predictor: answers from the newest model version listed in {@code models}, and
 * picks up a newer one without a restart (it looks before every request).
 *
 * <pre>{@code
 * Predictor predictor = new Predictor(endpoint);
 * KindlingService.builder("recommender")
 *         .component(predictor.jobs())        // the on-demand jobs ranks and ratings
 *         .routes(predictor::routes)          // POST /predictions/..., GET /models
 *         .run();
 * }</pre>
 *
 * <p>HTTP API:
 * <ul>
 *   <li>{@code POST /predictions/ranks {"user": U, "topk": K}} — the K best products for user U
 *       (K 1..100, default 10);</li>
 *   <li>{@code POST /predictions/ratings {"user": U, "products": [P, ...]}} — predicted ratings (1..1000
 *       products; an unknown product gets {@code "rating": null, "known": false});</li>
 *   <li>both run as jobs {@code ranks} and {@code ratings} of the on-demand pattern
 *       (kindling-ondemand) and answer {@code 202} with {@code Location: /jobs/ID}; with {@code ?wait=10s}
 *       (at most 60 s) they answer {@code 200} with the finished job when it ends in time;</li>
 *   <li>{@code GET /jobs/ID} — the on-demand job API: {@code state} QUEUED, RUNNING, SUCCEEDED (with
 *       {@code result}) or FAILED (with {@code error}), progress, {@code DELETE} to cancel, {@code /events} for SSE;</li>
 *   <li>{@code GET /models} — the model versions.</li>
 * </ul>
 * An unknown user answers {@code 404} problem+json; no model yet answers {@code 503}; bad input {@code 400}.
 *
 * <p>Threads: requests are validated on Jetty's threads (so an unknown user gets its {@code 404}
 * before anything is queued); predictions run on the on-demand service's workers, with its bounded
 * queue ({@code 429} when full), timeouts, cancel and job records.
 */
public final class Predictor {
    private static final Duration MAX_WAIT = Duration.ofSeconds(60);

    /** A loaded model version with the users and products it knows. */
    record Loaded(long version, ALSModel model, Set<Integer> users, Set<Integer> products) {
    }

    /** The params of the {@code ranks} job. */
    public record RanksParams(int user, int topk) {
    }

    /** The params of the {@code ratings} job. */
    public record RatingsParams(int user, List<Integer> products) {
    }

    private final JdbcEndpoint db;
    private final JobService jobs;
    private volatile Loaded current;

    /** A predictor reading models from {@code db}; its jobs run in the component {@link #jobs()}, named {@code predictions}. */
    public Predictor(JdbcEndpoint db) {
        this.db = db;
        this.jobs = JobService.builder("predictions").job(ranksJob()).job(ratingsJob()).build();
    }

    /** The on-demand component that runs the jobs {@code ranks} and {@code ratings}: add it to the service. */
    public JobService jobs() {
        return jobs;
    }

    /** The on-demand job that ranks products for a user. */
    public JobDefinition<RanksParams, Map<String, Object>> ranksJob() {
        return JobDefinition.builder("ranks", RanksParams.class, (ctx, p) -> ranks(ctx.spark(), known(p.user()), p.user(), p.topk()))
                .dependsOn(db.dependency()) // /readyz turns 503 while the database is away
                .build();
    }

    /** The on-demand job that predicts a user's ratings of given products. */
    public JobDefinition<RatingsParams, Map<String, Object>> ratingsJob() {
        return JobDefinition.builder("ratings", RatingsParams.class, (ctx, p) -> ratings(ctx.spark(), known(p.user()), p.user(),
                p.products())).dependsOn(db.dependency()).build();
    }

    /** The newest model, which must know {@code user} (checked again when the job runs). */
    private Loaded known(int user) {
        Loaded model = refresh();
        if (model == null) {
            throw new ProblemException(Problem.of(503, "No model yet", "the modeler has not published a model yet; try again later"));
        }
        if (!model.users().contains(user)) {
            throw new ProblemException(Problem.of(404, "Unknown user", "user " + user + " has no ratings in model version "
                    + model.version() + "; a user is known after the first model trained on their ratings").with("user", user)
                    .with("modelVersion", model.version()));
        }
        return model;
    }

    /** The version answering now, or -1 before the first model. */
    public long version() {
        Loaded l = current;
        return l == null ? -1 : l.version();
    }

    // tag::refresh[]
    /** Loads the newest listed model version when it is newer than the one in use; returns the one in use (or null). */
    synchronized Loaded refresh() {
        long newest;
        String path;
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT version, path FROM models ORDER BY version DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return current;
            }
            newest = rs.getLong(1);
            path = rs.getString(2);
        } catch (SQLException e) {
            throw Failures.fromSql("cannot read the models table", e);
        }
        Loaded l = current;
        if (l != null && l.version() >= newest) {
            return l;
        }
        ALSModel model = ALSModel.load(path);
        Set<Integer> users = ids(model.userFactors());
        Set<Integer> products = ids(model.itemFactors());
        current = new Loaded(newest, model, users, products);
        return current;
    }
    // end::refresh[]

    private static Set<Integer> ids(Dataset<Row> factors) {
        Set<Integer> out = new HashSet<>();
        for (Row r : factors.select("id").collectAsList()) {
            out.add(r.getInt(0));
        }
        return out;
    }

    /** The predictor's routes: {@code POST /predictions/ranks}, {@code POST /predictions/ratings}, {@code GET /models}. */
    public void routes(Routes r) {
        r.post("/predictions/ranks", "the K best products for a user {\"user\": U, \"topk\": K}; runs the job ranks", ctx -> submit(ctx, "ranks"));
        r.post("/predictions/ratings", "a user's predicted ratings {\"user\": U, \"products\": [P, ...]}; runs the job ratings", ctx -> submit(ctx, "ratings"));
        r.get("/models", "the model versions: rank, iterations, RMSE, ratings count, watermark", ctx -> ctx.json(models()));
    }

    private List<Map<String, Object>> models() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT version, rank, max_iter, reg_param, rmse, ratings_count, watermark, created_at "
                     + "FROM models ORDER BY version");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", rs.getLong(1));
                m.put("rank", rs.getInt(2));
                m.put("maxIter", rs.getInt(3));
                m.put("regParam", rs.getDouble(4));
                m.put("rmse", rs.getObject(5));
                m.put("ratingsCount", rs.getLong(6));
                m.put("watermark", rs.getString(7));
                m.put("createdAt", rs.getTimestamp(8).toInstant());
                out.add(m);
            }
        }
        return out;
    }

    private void submit(Context ctx, String kind) throws InterruptedException {
        Duration wait = QueryParams.duration(ctx, "wait", MAX_WAIT);
        JsonNode body;
        try {
            body = Json.mapper().readTree(ctx.body());
        } catch (java.io.IOException e) {
            throw bad("body", "the body must be a JSON object: " + Failures.rootMessage(e));
        }
        if (body == null || !body.isObject()) {
            throw bad("body", "the body must be a JSON object such as {\"user\": 7, \"topk\": 5}");
        }
        int user = intField(body, "user", null, 1, Integer.MAX_VALUE);
        int topk = kind.equals("ranks") ? intField(body, "topk", 10, 1, 100) : 0;
        List<Integer> products = kind.equals("ratings") ? products(body) : List.of();
        known(user);
        JobStatus status = jobs.submit(kind, kind.equals("ranks") ? new RanksParams(user, topk) : new RatingsParams(user, products));
        ctx.header("Location", "/jobs/" + status.id());
        if (wait != null) {
            status = jobs.await(status.id(), wait);
        }
        ctx.status(status.state().isFinal() ? 200 : 202).json(status);
    }

    private static Map<String, Object> ranks(SparkSession spark, Loaded m, int user, int topk) {
        StructType schema = new StructType().add("user_id", DataTypes.IntegerType);
        Dataset<Row> users = spark.createDataFrame(List.of(RowFactory.create(user)), schema);
        List<Map<String, Object>> items = new ArrayList<>();
        for (Row r : m.model().recommendForUserSubset(users, topk).collectAsList()) {
            scala.collection.Seq<Row> recs = r.getSeq(1);
            Iterator<Row> it = recs.iterator();
            while (it.hasNext()) {
                Row rec = it.next();
                items.add(Map.of("product", rec.getInt(0), "score", rec.getFloat(1)));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", user);
        out.put("modelVersion", m.version());
        out.put("items", items);
        return out;
    }

    private static Map<String, Object> ratings(SparkSession spark, Loaded m, int user, List<Integer> products) {
        StructType schema = new StructType().add("user_id", DataTypes.IntegerType).add("product_id", DataTypes.IntegerType);
        List<Row> pairs = products.stream().filter(m.products()::contains).map(p -> RowFactory.create(user, p)).toList();
        Map<Integer, Float> predicted = new java.util.HashMap<>();
        if (!pairs.isEmpty()) {
            for (Row r : m.model().transform(spark.createDataFrame(pairs, schema)).select("product_id", "prediction").collectAsList()) {
                predicted.put(r.getInt(0), r.getFloat(1));
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (int p : products) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("product", p);
            item.put("rating", predicted.get(p));
            item.put("known", predicted.containsKey(p));
            items.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", user);
        out.put("modelVersion", m.version());
        out.put("ratings", items);
        return out;
    }

    private static int intField(JsonNode body, String name, Integer defaultValue, int min, int max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw bad(name, "field '" + name + "' is required");
            }
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw bad(name, "field '" + name + "' must be a whole number from " + min + " to " + max + "; got " + v);
        }
        return v.asInt();
    }

    private static List<Integer> products(JsonNode body) {
        JsonNode v = body.get("products");
        if (v == null || !v.isArray() || v.isEmpty() || v.size() > 1000) {
            throw bad("products", "field 'products' must be an array of 1 to 1000 product ids; got " + v);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode p : v) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < 1) {
                throw bad("products", "field 'products' must hold whole numbers >= 1; got " + p);
            }
            out.add(p.asInt());
        }
        return out;
    }

    private static ProblemException bad(String field, String detail) {
        return new ProblemException(Problem.of(400, "Bad request", detail).with("field", field));
    }
}
