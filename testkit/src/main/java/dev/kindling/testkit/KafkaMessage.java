package dev.kindling.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record to send with {@link KafkaBroker#produce(String, List)}: key, value, headers and an
 * optional partition. Immutable.
 *
 * <pre>{@code
 * broker.produce("orders", List.of(
 *     KafkaMessage.of("k1", "v1"),
 *     KafkaMessage.of("k2", "v2").withHeader("source", "test").toPartition(0)));
 * }</pre>
 *
 * @param key the key bytes, may be null
 * @param value the value bytes, may be null (a tombstone)
 * @param headers the headers, in order; never null
 * @param partition the target partition, or null to let the producer's partitioner choose
 */
public record KafkaMessage(byte[] key, byte[] value, List<KafkaHeader> headers, Integer partition) {

  /**
   * Copies the headers.
   *
   * @param key the key bytes, may be null
   * @param value the value bytes, may be null
   * @param headers the headers, not null
   * @param partition the partition, null or at least 0
   */
  public KafkaMessage {
    headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    if (partition != null && partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0 or null, was " + partition);
    }
  }

  /**
   * A message whose key and value are the UTF-8 bytes of strings.
   *
   * @param key the key, may be null
   * @param value the value, may be null
   * @return the message, without headers or partition
   */
  public static KafkaMessage of(String key, String value) {
    return new KafkaMessage(utf8(key), utf8(value), List.of(), null);
  }

  /**
   * A message of raw bytes.
   *
   * @param key the key, may be null
   * @param value the value, may be null
   * @return the message, without headers or partition
   */
  public static KafkaMessage ofBytes(byte[] key, byte[] value) {
    return new KafkaMessage(key, value, List.of(), null);
  }

  /**
   * This message with one more header.
   *
   * @param key the header's key, not null
   * @param value the header's value as UTF-8, may be null
   * @return a new message
   */
  public KafkaMessage withHeader(String key, String value) {
    List<KafkaHeader> more = new ArrayList<>(headers);
    more.add(KafkaHeader.of(key, value));
    return new KafkaMessage(this.key, this.value, more, partition);
  }

  /**
   * This message sent to a given partition.
   *
   * @param partition the partition, at least 0
   * @return a new message
   */
  public KafkaMessage toPartition(int partition) {
    return new KafkaMessage(key, value, headers, partition);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaMessage that && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value) && headers.equals(that.headers)
        && Objects.equals(partition, that.partition);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), headers, partition);
  }

  @Override
  public String toString() {
    return "KafkaMessage[key=" + text(key) + ", value=" + text(value) + ", headers=" + headers
        + ", partition=" + partition + "]";
  }

  static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
