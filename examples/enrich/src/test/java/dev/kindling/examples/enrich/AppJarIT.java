package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.service.internal.RedactedMessageConverter;
import dev.kindling.testkit.AppJar;
import org.junit.jupiter.api.Test;

/**
 * The app jar, {@code target/kindling-example-enrich-VERSION-app.jar}: the one jar for spark-submit and containers.
 * Kindling (with the continuous and streaming patterns) and what a Spark distribution lacks are inside; Spark, Scala
 * and the embedded defaults (the broker, PostgreSQL) are not.
 */
class AppJarIT {
    /** 28 MB: Kindling with Javalin and Jetty 12, Kotlin's standard library, Micrometer, the PostgreSQL driver, and the Kafka connector with kafka-clients. */
    private static final long MAX_BYTES = 28L * 1024 * 1024;

    @Test
    void holdsKindlingAndWhatSparkLacksButNoSparkNoScalaAndNoEmbeddedDefault() {
        AppJar jar = AppJar.of("kindling-example-enrich");
        assertThat(jar.forbiddenEntries()).isEmpty();
        assertThat(jar.size()).as("size of " + jar.path()).isLessThanOrEqualTo(MAX_BYTES);
        assertThat(jar.mainClass()).isEqualTo("dev.kindling.examples.enrich.EnrichApp");
        assertThat(jar.entries()).contains("dev/kindling/examples/enrich/EnrichApp.class", "dev/kindling/ipp/Pipeline.class",
                "dev/kindling/streaming/StreamingRunner.class", "dev/kindling/continuous/ContinuousRunner.class",
                "dev/kindling/service/KindlingService.class", "org/postgresql/Driver.class",
                "org/apache/spark/sql/kafka010/KafkaSourceProvider.class", "org/apache/kafka/clients/consumer/KafkaConsumer.class");
        assertThat(jar.entries()).noneMatch(e -> e.startsWith("io/zonky/") || e.startsWith("dev/kindling/testkit/"));
    }

    /** The images' log layout needs {@code %redacted}: Kindling's entry in log4j's plugin list must survive shading. */
    @Test
    void listsKindlingsLogPluginForTheRedactedLayout() {
        assertThat(AppJar.of("kindling-example-enrich").log4jPlugins()).contains(RedactedMessageConverter.class.getName());
    }
}
