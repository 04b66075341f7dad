package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.continuous.internal.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

    @Test
    void ceilingDoublesPerFailureUpToTheMaximum() {
        List<Long> ceilings = new ArrayList<>();
        for (int n = 0; n <= 6; n++) {
            ceilings.add(backoff.ceiling(n).toMillis());
        }
        assertThat(ceilings).containsExactly(0L, 100L, 200L, 400L, 800L, 1000L, 1000L);
        assertThat(backoff.ceiling(10_000).toMillis()).isEqualTo(1000L);
    }

    @Test
    void delayIsJitteredWithinTheUpperHalf() {
        for (int n = 1; n <= 5; n++) {
            long c = backoff.ceiling(n).toMillis();
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delay(n).toMillis()).isBetween(c / 2, c);
            }
        }
        long distinct = java.util.stream.IntStream.range(0, 200).mapToLong(i -> backoff.delay(3).toMillis()).distinct().count();
        assertThat(distinct).isGreaterThan(10);
    }
}
