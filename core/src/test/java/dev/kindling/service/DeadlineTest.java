package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void remainingShrinksAndNeverGoesNegative() {
        Deadline past = Deadline.after(Duration.ofMillis(-5));
        assertThat(past.expired()).isTrue();
        assertThat(past.remaining()).isEqualTo(Duration.ZERO);
        Deadline later = Deadline.after(Duration.ofHours(1));
        assertThat(later.expired()).isFalse();
        assertThat(later.remaining()).isLessThanOrEqualTo(Duration.ofHours(1)).isGreaterThan(Duration.ofMinutes(59));
        assertThat(later.atMost(Duration.ofMinutes(1)).remaining()).isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(later.atMost(Duration.ofHours(2)).remaining()).isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    void joinWaitsForAThreadUntilTheDeadlineOnly() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread blocked = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        blocked.start();
        assertThat(Deadline.after(Duration.ofMillis(50)).join(blocked)).isFalse();
        release.countDown();
        assertThat(Deadline.after(Duration.ofSeconds(30)).join(blocked)).isTrue();
    }
}
