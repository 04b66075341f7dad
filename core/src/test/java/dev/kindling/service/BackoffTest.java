package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceilingDoublesPerFailureUpToTheMax() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(b.ceiling(0)).isEqualTo(Duration.ZERO);
        assertThat(b.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.ceiling(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.ceiling(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.ceiling(1000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fullJitterDrawsFromZeroToTheCeiling() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long d = b.delay(3).toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isBetween(0L, 40L);
        assertThat(max).isBetween(360L, 400L);
    }

    @Test
    void settingsAreNamedAfterThePattern() {
        assertThat(Backoff.initialSetting("streaming").name()).isEqualTo("kindling.streaming.backoff.initial");
        assertThat(Backoff.maxSetting("continuous").env()).isEqualTo("KINDLING_CONTINUOUS_BACKOFF_MAX");
        Backoff b = Backoff.fromSettings(Settings.of(Map.of("kindling.streaming.backoff.initial", "250ms")), "streaming");
        assertThat(b).isEqualTo(new Backoff(Duration.ofMillis(250), Duration.ofMinutes(1)));
    }

    @Test
    void rejectsAMaxBelowTheInitial() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("the largest backoff (PT1S) must not be smaller than the initial one (PT2S)");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(ConfigurationException.class);
    }
}
