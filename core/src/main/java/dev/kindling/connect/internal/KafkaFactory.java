package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.KafkaSink;
import dev.kindling.connect.KafkaSource;
import dev.kindling.connect.Options;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code kafka://host:9092[,host:9092]/topic}. */
public final class KafkaFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "kafka";
    }

    @Override
    public String usage() {
        return "kafka://host:9092[,host2:9092]/topic  (Kafka topics; options startingOffsets, endingOffsets, kafka.*)";
    }

    @Override
    public Set<String> sourceOptions() {
        return Set.of("startingOffsets", "endingOffsets", "maxOffsetsPerTrigger", "failOnDataLoss", "includeHeaders",
                "minPartitions", "kafka.*");
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("keyColumn", "kafka.*");
    }

    private static String servers(ConnectorUri uri) {
        String a = uri.authority();
        if (a.isBlank()) {
            throw new ConfigurationException("'" + uri.redacted() + "' names no broker; write kafka://host:9092/topic");
        }
        for (String hostPort : a.split(",")) {
            if (!hostPort.matches("[A-Za-z0-9._\\-\\[\\]:]+:\\d{1,5}")) {
                throw new ConfigurationException("broker '" + hostPort + "' in '" + uri.redacted() + "' is not host:port");
            }
        }
        return a;
    }

    private static String topic(ConnectorUri uri) {
        String t = uri.path();
        if (t.isBlank()) {
            throw new ConfigurationException("'" + uri.redacted() + "' names no topic; write kafka://host:9092/topic");
        }
        for (String one : t.split(",")) {
            if (!one.matches("[A-Za-z0-9._\\-]{1,249}")) {
                throw new ConfigurationException("'" + one + "' in '" + uri.redacted() + "' is not a Kafka topic name "
                        + "(letters, digits, '.', '_', '-')");
            }
        }
        return t;
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        Map<String, String> spark = new HashMap<>(options.asMap());
        options.get("failOnDataLoss").ifPresent(v -> spark.put("failOnDataLoss", Boolean.toString(options.bool("failOnDataLoss", true))));
        options.get("maxOffsetsPerTrigger").ifPresent(v ->
                spark.put("maxOffsetsPerTrigger", Long.toString(options.longValue("maxOffsetsPerTrigger", 1, 1, Long.MAX_VALUE))));
        return new KafkaSource(servers(uri), topic(uri), spark);
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        String topic = topic(uri);
        if (topic.contains(",")) {
            throw new ConfigurationException("a Kafka sink writes one topic; '" + uri.redacted() + "' names several");
        }
        Map<String, String> producer = new HashMap<>(options.withPrefix("kafka."));
        return new KafkaSink(servers(uri), topic, options.get("keyColumn").orElse(null), producer);
    }
}
