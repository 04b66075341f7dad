package dev.kindling.examples.recommender;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.KindlingException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The recommender's tables, created when missing.
 *
 * <pre>{@code
 * RecommenderSchema.create(endpoint);
 * }</pre>
 *
 * <ul>
 *   <li>{@code ratings(id BIGSERIAL, user_id, product_id, rating 1..5, rated_at)} — {@code id} is the
 *       modeler's watermark column; one writer at a time (ids must become visible in order);</li>
 *   <li>{@code models(version, path, rank, max_iter, reg_param, rmse, ratings_count, watermark,
 *       created_at)} — one row per model version, inserted in the same transaction as the modeler's watermark.</li>
 * </ul>
 */
public final class RecommenderSchema {
    private RecommenderSchema() {
    }

    public static void create(JdbcEndpoint db) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ratings (id BIGSERIAL PRIMARY KEY, user_id INT NOT NULL, product_id INT NOT NULL, "
                    + "rating REAL NOT NULL CHECK (rating BETWEEN 1 AND 5), rated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())");
            s.execute("CREATE TABLE IF NOT EXISTS models (version BIGINT PRIMARY KEY, path TEXT NOT NULL, rank INT NOT NULL, "
                    + "max_iter INT NOT NULL, reg_param DOUBLE PRECISION NOT NULL, rmse DOUBLE PRECISION, ratings_count BIGINT NOT NULL, "
                    + "watermark TEXT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())");
        } catch (SQLException e) {
            throw new KindlingException("cannot create the recommender's tables: " + e.getMessage(), e);
        }
    }
}
