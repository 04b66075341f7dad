package dev.kindling.streaming.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kindling.ipp.TransientException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka consumer lag of a streaming query: the broker's latest offsets (AdminClient
 * {@code listOffsets(latest)}) minus the offsets the query has processed (the {@code endOffset}
 * JSON of its last progress, {@code {"topic":{"0":42}}}). Spark keeps its offsets in the checkpoint,
 * not in a consumer group, so this is the only place the lag shows. Used from one thread.
 */
public final class KafkaLag implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Admin admin;
    private final Set<String> topics;

    /**
     * @param kafkaOptions the source's options ({@link dev.kindling.connect.KafkaSource#options()}): those named
     *                     {@code kafka.*} that an admin client knows (security protocol, SASL, TLS, timeouts) are
     *                     passed to it without the prefix, so that it reaches the broker the way the query does
     */
    public KafkaLag(String bootstrapServers, String topics, Map<String, String> kafkaOptions) {
        Properties p = adminProperties(kafkaOptions);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "kindling-lag");
        this.admin = Admin.create(p);
        this.topics = Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toSet());
    }

    /** The admin client's share of a Kafka source's options: {@code kafka.X} for each admin setting {@code X}. */
    static Properties adminProperties(Map<String, String> kafkaOptions) {
        Properties p = new Properties();
        Set<String> known = AdminClientConfig.configNames();
        kafkaOptions.forEach((k, v) -> {
            if (k.startsWith("kafka.") && known.contains(k.substring("kafka.".length()))) {
                p.put(k.substring("kafka.".length()), v);
            }
        });
        return p;
    }

    /** The latest offset of every partition of the topics. */
    public Map<TopicPartition, Long> latestOffsets() {
        try {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            described.forEach((topic, d) -> d.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            result.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException("interrupted while reading the latest offsets of " + topics, e);
        } catch (Exception e) {
            throw new TransientException("cannot read the latest offsets of " + topics + ": " + e.getMessage(), e);
        }
    }

    /** Parses Spark's Kafka offset JSON {@code {"topic":{"0":42,"1":7}}}; empty for null or non-Kafka text. */
    public static Map<TopicPartition, Long> parseOffsets(String json) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        try {
            JsonNode root = JSON.readTree(json);
            if (!root.isObject()) {
                return out;
            }
            for (Iterator<Map.Entry<String, JsonNode>> topics = root.fields(); topics.hasNext();) {
                Map.Entry<String, JsonNode> t = topics.next();
                if (!t.getValue().isObject()) {
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> parts = t.getValue().fields(); parts.hasNext();) {
                    Map.Entry<String, JsonNode> p = parts.next();
                    if (p.getValue().canConvertToLong()) {
                        out.put(new TopicPartition(t.getKey(), Integer.parseInt(p.getKey())), p.getValue().asLong());
                    }
                }
            }
        } catch (Exception e) {
            return new HashMap<>();
        }
        return out;
    }

    /**
     * Lag per partition: latest minus processed, never below zero; a partition the query has not yet
     * read from counts from offset 0.
     */
    public static Map<TopicPartition, Long> lag(Map<TopicPartition, Long> latest, Map<TopicPartition, Long> processed) {
        Map<TopicPartition, Long> out = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        latest.forEach((tp, end) -> out.put(tp, Math.max(0, end - processed.getOrDefault(tp, 0L))));
        return out;
    }

    @Override
    public void close() {
        close(java.time.Duration.ofSeconds(5));
    }

    /** Closes the admin client, waiting at most {@code timeout} for requests in flight. */
    public void close(java.time.Duration timeout) {
        admin.close(timeout);
    }
}
