package dev.kindling.examples.etl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.service.internal.RedactedMessageConverter;
import dev.kindling.testkit.AppJar;
import org.junit.jupiter.api.Test;

/**
 * The app jar, {@code target/kindling-example-etl-VERSION-app.jar}: the one jar for spark-submit and containers. Kindling and what a
 * Spark distribution lacks are inside; Spark, Scala and the embedded defaults are not.
 */
class AppJarIT {
    /** 16 MB: Kindling with Javalin and Jetty 12, Kotlin's standard library, Micrometer, the PostgreSQL driver. */
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    @Test
    void holdsKindlingAndWhatSparkLacksButNoSparkNoScalaAndNoEmbeddedDefault() {
        AppJar jar = AppJar.of("kindling-example-etl");
        assertThat(jar.forbiddenEntries()).isEmpty();
        assertThat(jar.size()).as("size of " + jar.path()).isLessThanOrEqualTo(MAX_BYTES);
        assertThat(jar.mainClass()).isEqualTo("dev.kindling.examples.etl.EtlApp");
        assertThat(jar.entries()).contains("dev/kindling/examples/etl/EtlApp.class", "dev/kindling/ipp/Pipeline.class",
                "dev/kindling/service/KindlingService.class", "io/javalin/Javalin.class", "io/micrometer/core/instrument/MeterRegistry.class",
                "dev/kindling/shaded/org/eclipse/jetty/server/Server.class");
    }

    /** The images' log layout needs {@code %redacted}: Kindling's entry in log4j's plugin list must survive shading. */
    @Test
    void listsKindlingsLogPluginForTheRedactedLayout() {
        assertThat(AppJar.of("kindling-example-etl").log4jPlugins()).contains(RedactedMessageConverter.class.getName());
    }
}
