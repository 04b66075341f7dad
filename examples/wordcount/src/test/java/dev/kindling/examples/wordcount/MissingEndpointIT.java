package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.AppJar;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged app, as spark-submit runs it (the app jar on Spark's own class path: no Maven, no testkit),
 * with no {@code KAFKA_BOOTSTRAP_SERVERS} and no {@code KINDLING_EMBEDDED}: it stops at once with one line that names the variable.
 */
class MissingEndpointIT {
    @Test
    void withoutTheEndpointItStopsAtOnceNamingTheVariable() {
        AppJar.Exit exit = AppJar.of("kindling-example-wordcount").runWithout(WordCountApp.class.getName(), Duration.ofSeconds(60),
                "KAFKA_BOOTSTRAP_SERVERS", "KINDLING_EMBEDDED", "KINDLING_CONFIG");
        assertThat(exit.lines()).containsExactly(WordCountApp.MISSING_BROKER);
        assertThat(exit.status()).isEqualTo(2);
    }
}
