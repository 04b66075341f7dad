package dev.kindling.examples.enrich;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcSource;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.FileWatermarkStore;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * The continuous pipeline that keeps the {@link ProductSnapshots products snapshots} up to date: each cycle asks the
 * PostgreSQL table {@code products} for rows whose {@code updated_at} moved since the last cycle and, when there are
 * any, writes a new snapshot with them (no Spark job runs while nothing changed).
 *
 * <pre>{@code
 * ProductsRefresh.createTable(db);
 * ContinuousRunner refresh = ProductsRefresh.runner(db, snapshots, Path.of("/var/lib/enrich/products.watermark"), Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>The table: {@code products (product_id TEXT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2) NOT NULL,
 * updated_at TIMESTAMPTZ NOT NULL)}. {@link #createTable} creates it when it is missing, with a trigger that sets
 * {@code updated_at} on every insert and update, so a plain {@code UPDATE products SET price = 9.50 WHERE ...} is
 * picked up. Each increment also reads again the rows of the last {@link #LOOKBACK} below the committed watermark, so a
 * transaction that commits after a later one is not missed (the snapshot puts rows in by product id, so reading a row
 * twice changes nothing). Deleted rows are not seen: retire a product by an update (say, a price that the orders
 * downstream refuse), or restart with a new checkpoint folder to rebuild the snapshot from the whole table.
 */
public final class ProductsRefresh {
    /** The runner's name: the key of its component in {@code /status}. */
    public static final String NAME = "products";
    /** How far below the committed watermark each increment reads again. */
    public static final String LOOKBACK = "10s";

    private static final String[] CREATE = {
        "CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2) NOT NULL CHECK (price >= 0), "
                + "updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())",
        "CREATE INDEX products_updated_at ON products (updated_at)",
        "CREATE OR REPLACE FUNCTION products_touch() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ "
                + "LANGUAGE plpgsql",
        "CREATE TRIGGER products_touch BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION products_touch()"
    };

    private ProductsRefresh() {
    }

    /** The pipeline: changed rows of {@code products} as {@code productId, name, price}, into {@code snapshots}. */
    public static Pipeline pipeline(JdbcEndpoint db, ProductSnapshots snapshots) {
        return Pipeline.builder(PipelineKind.INCREMENTAL).name(NAME)
                .source(new JdbcSource(db, "products", null, null, "updated_at", LOOKBACK, Map.of()))
                .process(Processor.sql("SELECT product_id AS productId, name, CAST(price AS DECIMAL(10,2)) AS price FROM input"))
                .sink(snapshots)
                .build();
    }

    /** A runner of {@link #pipeline} whose progress is in the file {@code watermark}; a cycle every {@code interval}. */
    public static ContinuousRunner runner(JdbcEndpoint db, ProductSnapshots snapshots, Path watermark, Duration interval) {
        return ContinuousRunner.builder(pipeline(db, snapshots))
                .watermarkStore(new FileWatermarkStore(watermark))
                .interval(interval)
                .build();
    }

    /** Creates the table {@code products} and its trigger when the table is missing; an existing table is left as it is. */
    public static void createTable(JdbcEndpoint db) {
        try (Connection c = db.connect()) {
            DatabaseMetaData meta = c.getMetaData();
            try (ResultSet rs = meta.getTables(null, null, "products", new String[] {"TABLE"})) {
                if (rs.next()) {
                    return;
                }
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : CREATE) {
                    s.execute(sql);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw Failures.fromSql("cannot create the products table", e);
        }
    }

    /** Inserts the sample products {@code p-1} to {@code p-10} into an empty table (the embedded default). */
    public static void seed(JdbcEndpoint db) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM products")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            s.execute("INSERT INTO products (product_id, name, price) VALUES ('p-1', 'lantern', 12.50), ('p-2', 'rope', 4.25), "
                    + "('p-3', 'compass', 19.90), ('p-4', 'kettle', 23.00), ('p-5', 'blanket', 31.75), ('p-6', 'map', 2.10), "
                    + "('p-7', 'tent', 149.00), ('p-8', 'stove', 64.40), ('p-9', 'mug', 6.80), ('p-10', 'knife', 27.35)");
        } catch (SQLException e) {
            throw Failures.fromSql("cannot seed the products table", e);
        }
    }
}
