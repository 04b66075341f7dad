package dev.kindling.examples.sparkpi;

import dev.kindling.config.Setting;

/**
 * The bounds of the SparkPi service's params.
 *
 * <pre>{@code
 * SPARKPI_MAX_SAMPLES=1000000000 bin/run-example sparkpi
 * }</pre>
 */
public final class SparkPiSettings {
    private SparkPiSettings() {
    }

    public static final Setting<Long> MAX_SAMPLES = Setting.longValue("sparkpi.max-samples", 10_000_000_000L, 1,
            Long.MAX_VALUE / 4, "the most samples a request may ask for; more gets 400");

    public static final Setting<Integer> MAX_PARTITIONS = Setting.integer("sparkpi.max-partitions", 1000, 1, 100_000,
            "the most partitions a request may ask for; more gets 400");
}
