package dev.kindling.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record header: a key and a value of bytes (the value may be {@code null}).
 *
 * <pre>{@code
 * KafkaHeader header = KafkaHeader.of("source", "test");
 * assertThat(header.valueAsString()).isEqualTo("test");
 * }</pre>
 *
 * <p>Equality compares the value's bytes, so headers can be asserted on exactly.
 *
 * @param key the header's key, not null
 * @param value the header's value, may be null
 */
public record KafkaHeader(String key, byte[] value) {

  /**
   * Checks the key.
   *
   * @param key the header's key, not null
   * @param value the header's value, may be null
   */
  public KafkaHeader {
    Objects.requireNonNull(key, "key");
  }

  /**
   * A header whose value is the UTF-8 bytes of a string.
   *
   * @param key the key
   * @param value the value, may be null
   * @return the header
   */
  public static KafkaHeader of(String key, String value) {
    return new KafkaHeader(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /** The value decoded as UTF-8, or null. */
  public String valueAsString() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaHeader that && key.equals(that.key) && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return key + "=" + valueAsString();
  }
}
