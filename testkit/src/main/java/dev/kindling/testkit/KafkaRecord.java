package dev.kindling.testkit;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record read by {@link KafkaBroker#consume(String, int, java.time.Duration)}: where it is
 * (topic, partition, offset), its timestamp, key, value and headers. Immutable.
 *
 * <pre>{@code
 * List<KafkaRecord> records = broker.consume("orders", 2, Duration.ofSeconds(10));
 * assertThat(records).extracting(KafkaRecord::keyAsString, KafkaRecord::valueAsString,
 *         KafkaRecord::offset)
 *     .containsExactly(tuple("k1", "v1", 0L), tuple("k2", "v2", 1L));
 * }</pre>
 *
 * <p>Equality compares key and value bytes, so whole records can be asserted on.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset in the partition
 * @param timestamp the record's timestamp, epoch milliseconds
 * @param key the key bytes, may be null
 * @param value the value bytes, may be null
 * @param headers the headers in order, never null
 */
public record KafkaRecord(String topic, int partition, long offset, long timestamp, byte[] key,
    byte[] value, List<KafkaHeader> headers) {

  /**
   * Copies the headers.
   *
   * @param topic the topic
   * @param partition the partition
   * @param offset the offset
   * @param timestamp the timestamp
   * @param key the key bytes, may be null
   * @param value the value bytes, may be null
   * @param headers the headers, not null
   */
  public KafkaRecord {
    Objects.requireNonNull(topic, "topic");
    headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
  }

  /** The key decoded as UTF-8, or null. */
  public String keyAsString() {
    return KafkaMessage.text(key);
  }

  /** The value decoded as UTF-8, or null. */
  public String valueAsString() {
    return KafkaMessage.text(value);
  }

  /**
   * The value of the last header with this key, decoded as UTF-8.
   *
   * @param headerKey the header's key
   * @return the value, or null when there is no such header or its value is null
   */
  public String header(String headerKey) {
    String found = null;
    for (KafkaHeader header : headers) {
      if (header.key().equals(headerKey)) {
        found = header.valueAsString();
      }
    }
    return found;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaRecord that && topic.equals(that.topic)
        && partition == that.partition && offset == that.offset && timestamp == that.timestamp
        && Arrays.equals(key, that.key) && Arrays.equals(value, that.value)
        && headers.equals(that.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset, timestamp, Arrays.hashCode(key),
        Arrays.hashCode(value), headers);
  }

  @Override
  public String toString() {
    return "KafkaRecord[" + topic + "-" + partition + "@" + offset + ", key=" + keyAsString()
        + ", value=" + valueAsString() + ", headers=" + headers + ", timestamp=" + timestamp + "]";
  }
}
