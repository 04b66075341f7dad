package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KafkaRecord;
import dev.kindling.testkit.KindlingKafkaTest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The paced producer against a real broker, on a clock the test moves: what it sends, and when it waits. */
@KindlingKafkaTest
class PacedProducerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** A clock that moves only when the producer waits, and by the next of {@code reads} each time it is read. */
    private static final class ControlledClock implements PacedProducer.Clock {
        private final Deque<Long> reads;
        private long now = 1_000;
        final List<Long> waits = Collections.synchronizedList(new ArrayList<>());

        ControlledClock(Long... reads) {
            this.reads = new ArrayDeque<>(List.of(reads));
        }

        @Override
        public long nanoTime() {
            Long passed = reads.poll();
            now += passed == null ? 0 : passed;
            return now;
        }

        @Override
        public void sleep(long nanos) {
            waits.add(nanos);
            now += nanos;
        }
    }

    @Test
    void sendsEachValueInTurnAndWaitsOneIntervalAfterEach(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("paced", 1);
        ControlledClock clock = new ControlledClock();
        AtomicInteger n = new AtomicInteger();
        try (PacedProducer producer = new PacedProducer(kafka.bootstrapServers(), topic, 200, "values", "paced-it", () -> "v" + n.incrementAndGet(),
                clock)) {
            assertThat(producer.clientId()).isEqualTo("paced-it");
            assertThat(producer.run(25)).isEqualTo(25);
        }
        // 200 a second: 5 ms after each record.
        assertThat(clock.waits).containsExactlyElementsOf(Collections.nCopies(25, 5_000_000L));
        List<KafkaRecord> records = kafka.consume(topic, 25, TIMEOUT);
        assertThat(records).extracting(KafkaRecord::valueAsString)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 25).mapToObj(i -> "v" + i).toList());
        assertThat(records).extracting(KafkaRecord::key).containsOnlyNulls();
    }

    @Test
    void catchesUpWithoutWaitingAfterASendThatTookLongerThanTheInterval(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("paced-late", 1);
        // 100 a second: a record due every 10 ms from the start; the first send seems to take 35 ms, the others nothing
        ControlledClock clock = new ControlledClock(0L, 35_000_000L);
        try (PacedProducer producer = new PacedProducer(kafka.bootstrapServers(), topic, 100, "values", "paced-it", () -> "v", clock)) {
            assertThat(producer.run(5)).isEqualTo(5);
        }
        // records 2, 3 and 4 (due at 10, 20 and 30 ms) go at 35 ms without a wait; then 5 ms to 40, and 10 ms to 50
        assertThat(clock.waits).containsExactly(5_000_000L, 10_000_000L);
        assertThat(kafka.consume(topic, 5, TIMEOUT)).hasSize(5);
    }

    @Test
    void stopEndsARunWithoutACountAfterTheCurrentRecord(KafkaBroker kafka) throws Exception {
        String topic = kafka.createUniqueTopic("paced-stop", 1);
        AtomicInteger n = new AtomicInteger();
        AtomicReference<PacedProducer> self = new AtomicReference<>();
        try (PacedProducer producer = new PacedProducer(kafka.bootstrapServers(), topic, 100_000, "values", "paced-it", () -> {
            if (n.incrementAndGet() == 10) {
                self.get().stop();
            }
            return "v" + n.get();
        }, new ControlledClock())) {
            self.set(producer);
            assertThat(producer.run(-1)).isEqualTo(10);
        }
        assertThat(kafka.consume(topic, 10, TIMEOUT)).extracting(KafkaRecord::valueAsString).endsWith("v10");
    }

    @Test
    void rejectsARateOutOfRangeNamingWhatItSends() {
        assertThatThrownBy(() -> new PacedProducer("127.0.0.1:9", "t", 0, "lines", "paced-it", () -> "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be from 1 to 100000 lines per second; got 0");
        assertThatThrownBy(() -> new PacedProducer("127.0.0.1:9", "t", PacedProducer.MAX_RATE + 1, "orders", "paced-it", () -> "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be from 1 to 100000 orders per second; got 100001");
    }
}
