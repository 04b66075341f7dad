package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged app, as spark-submit runs it (the app jar on Spark's own class path: no Maven, no testkit),
 * with no {@code RECOMMENDER_JDBC_URL} and no {@code KINDLING_EMBEDDED}: it stops at once with one line that names the variable.
 */
class MissingEndpointIT {
    @Test
    void withoutTheEndpointItStopsAtOnceNamingTheVariable() {
        AppJar.Exit exit = AppJar.of("kindling-example-recommender").runWithout(RecommenderApp.class.getName(), Duration.ofSeconds(60),
                "RECOMMENDER_JDBC_URL", "KINDLING_EMBEDDED", "KINDLING_CONFIG");
        assertThat(exit.lines()).containsExactly(RecommenderApp.MISSING_DATABASE);
        assertThat(exit.status()).isEqualTo(2);
    }
}
