package dev.kindling.examples.recommender;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.KindlingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts synthetic but realistic ratings: product popularity follows a Zipf law (a few products get
 * most ratings), user activity is skewed too, and each rating is {@code 3.5 + user bias + product
 * quality + taste match + noise}, rounded and clipped to 1..5, where the taste match is the dot
 * product of small hidden user and product factors (what ALS then recovers).
 *
 * <pre>{@code
 * RatingsGenerator gen = new RatingsGenerator(1000, 200, 42);
 * gen.insert(endpoint, 20_000);          // seed
 * gen.start(endpoint, 5.0);              // then 5 ratings per second, until gen.stop()
 * }</pre>
 *
 * <p>{@link #insert} and the background inserts are serialized (one writer), so ids become visible in order.
 */
public final class RatingsGenerator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RatingsGenerator.class);
    private static final int FACTORS = 3;

    private final int users;
    private final int products;
    private final Random random;
    private final double[] userBias;
    private final double[] productQuality;
    private final double[][] userTaste;
    private final double[][] productTaste;
    private final double[] productCdf;
    private final double[] userCdf;
    private ScheduledExecutorService scheduler;

    /** Users {@code 1..users} and products {@code 1..products}; the same seed gives the same ratings. */
    public RatingsGenerator(int users, int products, long seed) {
        if (users < 1 || products < 1) {
            throw new IllegalArgumentException("users and products must be >= 1, got " + users + " and " + products);
        }
        this.users = users;
        this.products = products;
        this.random = new Random(seed);
        userBias = new double[users];
        userTaste = new double[users][FACTORS];
        for (int u = 0; u < users; u++) {
            userBias[u] = random.nextGaussian() * 0.4;
            for (int f = 0; f < FACTORS; f++) {
                userTaste[u][f] = random.nextGaussian() * 0.6;
            }
        }
        productQuality = new double[products];
        productTaste = new double[products][FACTORS];
        for (int p = 0; p < products; p++) {
            productQuality[p] = random.nextGaussian() * 0.5;
            for (int f = 0; f < FACTORS; f++) {
                productTaste[p][f] = random.nextGaussian() * 0.6;
            }
        }
        productCdf = zipfCdf(products, 1.1);
        userCdf = zipfCdf(users, 0.6);
    }

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    private int draw(double[] cdf) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }

    /** One rating: {user, product, rating}. */
    synchronized double[] next() {
        int u = draw(userCdf);
        int p = draw(productCdf);
        double taste = 0;
        for (int f = 0; f < FACTORS; f++) {
            taste += userTaste[u][f] * productTaste[p][f];
        }
        double r = 3.5 + userBias[u] + productQuality[p] + taste + random.nextGaussian() * 0.5;
        return new double[] {u + 1, p + 1, Math.max(1, Math.min(5, Math.round(r)))};
    }

    /** Inserts {@code count} ratings in one transaction. */
    public synchronized void insert(JdbcEndpoint db, int count) {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ratings (user_id, product_id, rating) VALUES (?, ?, ?)")) {
                for (int i = 0; i < count; i++) {
                    double[] r = next();
                    ps.setInt(1, (int) r[0]);
                    ps.setInt(2, (int) r[1]);
                    ps.setFloat(3, (float) r[2]);
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            throw new KindlingException("cannot insert ratings: " + e.getMessage(), e);
        }
    }

    /** Inserts about {@code perSecond} ratings per second in the background (five small batches a second). */
    public synchronized void start(JdbcEndpoint db, double perSecond) {
        if (perSecond <= 0) {
            return;
        }
        if (scheduler != null) {
            throw new IllegalStateException("the generator is already running");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratings-generator");
            t.setDaemon(true);
            return t;
        });
        double[] owed = {0};
        scheduler.scheduleAtFixedRate(() -> {
            owed[0] += perSecond / 5;
            int n = (int) owed[0];
            if (n > 0) {
                owed[0] -= n;
                try {
                    insert(db, n);
                } catch (RuntimeException e) {
                    LOG.warn("ratings generator: an insert of {} rating(s) failed; trying again in 200 ms", n, e);
                    owed[0] += n;
                }
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        LOG.info("ratings generator: about {} rating(s) per second for {} users and {} products", perSecond, users, products);
    }

    /** Stops the background inserts. */
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
