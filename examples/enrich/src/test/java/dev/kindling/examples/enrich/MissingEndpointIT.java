package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged app, as spark-submit runs it (the app jar on Spark's own class path: no Maven, no testkit), with no
 * {@code KAFKA_BOOTSTRAP_SERVERS}, no {@code ENRICH_JDBC_URL} and no {@code KINDLING_EMBEDDED}: it stops at once with
 * one line that names both variables.
 */
class MissingEndpointIT {
    @Test
    void withoutTheEndpointsItStopsAtOnceNamingTheVariables() {
        AppJar.Exit exit = AppJar.of("kindling-example-enrich").runWithout(EnrichApp.class.getName(), Duration.ofSeconds(60),
                "KAFKA_BOOTSTRAP_SERVERS", "ENRICH_JDBC_URL", "KINDLING_EMBEDDED", "KINDLING_CONFIG");
        assertThat(exit.lines()).containsExactly(EnrichApp.missing(List.of("KAFKA_BOOTSTRAP_SERVERS", "ENRICH_JDBC_URL")));
        assertThat(exit.lines().get(0)).isEqualTo("enrich: set KAFKA_BOOTSTRAP_SERVERS to the Kafka brokers (host:port,...) and "
                + "ENRICH_JDBC_URL to the PostgreSQL database (jdbc:postgresql://host:5432/db); KINDLING_EMBEDDED=true starts an "
                + "embedded one instead (bin/run-example sets it)");
        assertThat(exit.status()).isEqualTo(2);
    }
}
