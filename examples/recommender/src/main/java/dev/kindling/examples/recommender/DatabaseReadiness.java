package dev.kindling.examples.recommender;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.Redactor;
import dev.kindling.service.Health;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The readiness check of the recommender's database: ready while a connection from the endpoint's
 * pool answers, else down with a reason that names the database (its URL, without secrets) and says
 * what the driver saw.
 *
 * <pre>{@code
 * KindlingService.builder("recommender").readiness("database", new DatabaseReadiness(endpoint));
 * // GET /readyz while PostgreSQL is away: 503
 * // {"status": "not ready", "checks": {"database": "not ready: cannot connect to jdbc:postgresql://db:5432/shop: ..."}}
 * }</pre>
 *
 * <p>Called on an HTTP thread at each {@code GET /readyz}. While the database is up it borrows a
 * pooled connection and checks it (at most {@value #VALID_SECONDS} s); while it is away it answers
 * within the pool's connect timeout ({@code kindling.jdbc.connect-timeout}, default 5 s). Thread-safe.
 */
final class DatabaseReadiness implements Supplier<Health> {
    private static final int VALID_SECONDS = 2;

    private final JdbcEndpoint db;

    DatabaseReadiness(JdbcEndpoint db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public Health get() {
        try (Connection c = db.connect()) {
            return c.isValid(VALID_SECONDS) ? Health.up()
                    : Health.down("the database at " + Redactor.redact(db.url()) + " did not answer within " + VALID_SECONDS + " s");
        } catch (SQLException | RuntimeException e) {
            return Health.down(Failures.summary(e));
        }
    }
}
