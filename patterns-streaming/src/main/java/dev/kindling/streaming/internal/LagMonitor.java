package dev.kindling.streaming.internal;

import dev.kindling.connect.KafkaSource;
import dev.kindling.ipp.Failures;
import dev.kindling.service.ComponentMeters;
import dev.kindling.service.Deadline;
import dev.kindling.streaming.StreamingStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka consumer lag of a runner whose source is Kafka: every interval, the broker's latest
 * offsets (through {@link KafkaLag}, an admin client with the source's own {@code kafka.*} options,
 * so SASL and TLS settings apply) minus the end offsets of the main query's last progress. One gauge
 * {@code kindling_streaming_kafka_lag{topic, partition}} per partition, registered when first seen.
 *
 * <p>{@link #run} is the body of the runner's lag thread; {@link #processed} is called on Spark's
 * listener thread; {@link #snapshot} from any thread; {@link #close} once, after the thread has ended
 * or been abandoned.
 */
public final class LagMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final String name;
    private final ComponentMeters meters;
    private final KafkaLag kafka;
    private final Map<TopicPartition, Long> processed = new ConcurrentHashMap<>();
    private final Map<TopicPartition, StreamingStatus.PartitionLag> lag = new ConcurrentHashMap<>();
    private boolean failing;

    public LagMonitor(String name, KafkaSource source, ComponentMeters meters) {
        this.name = name;
        this.meters = meters;
        this.kafka = new KafkaLag(source.bootstrapServers(), source.topics(), source.options());
    }

    /** Takes in the end offsets of a progress of the main query ({@code {"topic":{"0":42}}}). */
    public void processed(String endOffsetJson) {
        processed.putAll(KafkaLag.parseOffsets(endOffsetJson));
    }

    /** Computes the lag now and every {@code interval} until {@code signal} asks to stop. */
    public void run(StopSignal signal, Duration interval) {
        try {
            do {
                poll();
            } while (!signal.sleep(interval));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop() interrupts a poll blocked on a broker that is gone
        }
    }

    private void poll() {
        if (processed.isEmpty()) {
            return; // no progress yet: the lag is not known
        }
        try {
            Map<TopicPartition, Long> latest = kafka.latestOffsets();
            Map<TopicPartition, Long> done = new HashMap<>(processed);
            KafkaLag.lag(latest, done).forEach((tp, l) -> {
                StreamingStatus.PartitionLag p = new StreamingStatus.PartitionLag(tp.topic(), tp.partition(), latest.get(tp),
                        done.getOrDefault(tp, 0L), l);
                if (lag.put(tp, p) == null) {
                    meters.gauge("kafka.lag", "records on the broker the query has not processed yet", lag,
                            m -> m.containsKey(tp) ? m.get(tp).lag() : Double.NaN, "topic", tp.topic(), "partition",
                            Integer.toString(tp.partition()));
                }
            });
            if (failing) {
                LOG.info("streaming runner '{}': the Kafka lag is computed again", name);
                failing = false;
            }
        } catch (RuntimeException e) {
            // The gauges keep their last values; the next poll tries again. Said once per outage, not at every poll.
            if (!failing) {
                LOG.warn("streaming runner '{}': cannot compute the Kafka lag (tried again every interval): {}", name,
                        Failures.summary(e));
                failing = true;
            }
        }
    }

    /** The lag per partition, by topic and partition; empty until it is known. */
    public List<StreamingStatus.PartitionLag> snapshot() {
        List<TopicPartition> keys = new ArrayList<>(lag.keySet());
        keys.sort(ORDER);
        List<StreamingStatus.PartitionLag> out = new ArrayList<>(keys.size());
        keys.forEach(k -> out.add(lag.get(k)));
        return out;
    }

    /** Closes the admin client by {@code deadline}. */
    public void close(Deadline deadline) {
        kafka.close(deadline.remaining());
    }
}
