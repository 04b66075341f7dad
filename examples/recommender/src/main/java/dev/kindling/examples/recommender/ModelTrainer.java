package dev.kindling.examples.recommender;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.continuous.CommittedBatch;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.WriteResult;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The modeler's sink: given the new ratings of batch {@code N}, trains ALS on <i>all</i> ratings up
 * to the newest new one, measures RMSE on a held-out 20 % (a model fitted on the other 80 %), fits
 * the published model on all of them, and saves it as version {@code N} under {@code MODELS/v=N},
 * written to a temporary folder and renamed (a re-run of batch N replaces it). The {@code models}
 * row is inserted by {@link #modelsRow()}, a step of the watermark store's commit transaction, so a
 * version is listed if and only if the watermark moved past its ratings.
 *
 * <pre>{@code
 * ModelTrainer trainer = new ModelTrainer(endpoint, "/var/lib/recommender/models", new AlsParams(10, 10, 0.1, 42));
 * JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint, "modeler").inSameTransaction(trainer.modelsRow()).build();
 * }</pre>
 *
 * <p>Called on the runner's cycle thread; {@link #write} runs Spark jobs.
 */
public final class ModelTrainer implements BatchWritable {
    private final JdbcEndpoint db;
    private final String modelsDir;
    private final AlsParams params;
    private final Map<Long, ModelVersion> trained = new ConcurrentHashMap<>();

    /** A trained, saved model waiting for its commit. */
    record ModelVersion(long version, String path, double rmse, long ratings) {
    }

    public ModelTrainer(JdbcEndpoint db, String modelsDir, AlsParams params) {
        this.db = Objects.requireNonNull(db, "db");
        this.modelsDir = Objects.requireNonNull(modelsDir, "modelsDir");
        this.params = Objects.requireNonNull(params, "params");
    }

    @Override
    public String name() {
        return "als-models(" + modelsDir + ")";
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.IDEMPOTENT;
    }

    /** The ALS estimator with this trainer's parameters. */
    ALS als() {
        return new ALS().setRank(params.rank()).setMaxIter(params.maxIter()).setRegParam(params.regParam()).setSeed(params.seed())
                .setUserCol("user_id").setItemCol("product_id").setRatingCol("rating").setColdStartStrategy("drop");
    }

    @Override
    public WriteResult write(Dataset<Row> newRatings, long batchId) {
        SparkSession spark = newRatings.sparkSession();
        Row newest = newRatings.agg(functions.max("id")).first();
        if (newest.isNullAt(0)) {
            throw new KindlingException("batch " + batchId + " of the modeler has no ratings; nothing to train");
        }
        long upTo = newest.getLong(0);
        java.util.Properties props = db.properties();
        Dataset<Row> all = spark.read().jdbc(db.url(),
                "(SELECT user_id, product_id, rating FROM ratings WHERE id <= " + upTo + ") AS all_ratings", props).cache();
        try {
            long count = all.count();
            Dataset<Row>[] split = all.randomSplit(new double[] {0.8, 0.2}, params.seed());
            ALS als = als();
            double rmse = new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating").setPredictionCol("prediction")
                    .evaluate(als.fit(split[0]).transform(split[1]));
            ALSModel model = als.fit(all);
            String path = save(model, batchId, spark);
            trained.put(batchId, new ModelVersion(batchId, path, rmse, count));
            return new WriteResult(batchId, 1);
        } finally {
            all.unpersist();
        }
    }

    private String save(ALSModel model, long version, SparkSession spark) {
        Path target = new Path(modelsDir, "v=" + version);
        Path temporary = new Path(modelsDir, "_tmp_v=" + version + "_" + UUID.randomUUID());
        try {
            model.write().save(temporary.toString());
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new KindlingException("cannot replace the earlier attempt of model version " + version + " at " + target);
            }
            if (!fs.rename(temporary, target)) {
                throw new KindlingException("cannot rename " + temporary + " to " + target);
            }
            return fs.makeQualified(target).toString();
        } catch (IOException e) {
            throw new KindlingException("cannot save model version " + version + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /** The commit step that inserts the {@code models} row of the batch being committed. */
    public JdbcWatermarkStore.TransactionStep modelsRow() {
        return (Connection c, CommittedBatch progress) -> {
            ModelVersion v = trained.remove(progress.batchId());
            if (v == null) {
                throw new SQLException("no trained model for batch " + progress.batchId() + " (was the sink skipped?)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO models (version, path, rank, max_iter, reg_param, rmse, "
                    + "ratings_count, watermark) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, v.version());
                ps.setString(2, v.path());
                ps.setInt(3, params.rank());
                ps.setInt(4, params.maxIter());
                ps.setDouble(5, params.regParam());
                if (Double.isNaN(v.rmse())) {
                    ps.setNull(6, java.sql.Types.DOUBLE);
                } else {
                    ps.setDouble(6, v.rmse());
                }
                ps.setLong(7, v.ratings());
                ps.setString(8, progress.watermark().serialize());
                ps.executeUpdate();
            }
        };
    }
}
