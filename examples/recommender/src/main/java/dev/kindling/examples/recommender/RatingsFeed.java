package dev.kindling.examples.recommender;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import java.util.Map;

/**
 * The ratings generator as a component of the recommender service: it inserts about
 * {@code perSecond} synthetic ratings a second while the service runs (none when the rate is 0), and
 * stops before the database closes.
 *
 * <pre>{@code
 * KindlingService.builder("recommender").component(new RatingsFeed(generator, endpoint, 5.0)).run();
 * }</pre>
 *
 * <p>Its status details: {@code {"ratingsPerSecond": 5.0}}.
 */
public final class RatingsFeed implements Component {
    private final RatingsGenerator generator;
    private final JdbcEndpoint db;
    private final double perSecond;

    public RatingsFeed(RatingsGenerator generator, JdbcEndpoint db, double perSecond) {
        this.generator = generator;
        this.db = db;
        this.perSecond = perSecond;
    }

    @Override
    public String name() {
        return "generator";
    }

    @Override
    public String pattern() {
        return "generator";
    }

    @Override
    public void start(ComponentContext context) {
        generator.start(db, perSecond);
    }

    @Override
    public void stop(Deadline deadline) {
        generator.stop();
    }

    @Override
    public Object details() {
        return Map.of("ratingsPerSecond", perSecond);
    }
}
