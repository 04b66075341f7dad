package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaValuesTest {

  @Test
  void messagesCompareTheirBytes() {
    KafkaMessage message = KafkaMessage.of("k", "v").withHeader("h", "1").toPartition(3);
    assertThat(message).isEqualTo(new KafkaMessage("k".getBytes(StandardCharsets.UTF_8),
        "v".getBytes(StandardCharsets.UTF_8), List.of(KafkaHeader.of("h", "1")), 3));
    assertThat(message.hashCode()).isEqualTo(KafkaMessage.of("k", "v").withHeader("h", "1").toPartition(3).hashCode());
    assertThat(message).hasToString("KafkaMessage[key=k, value=v, headers=[h=1], partition=3]");
  }

  @Test
  void messagesRejectNegativePartitions() {
    assertThatThrownBy(() -> KafkaMessage.of("k", "v").toPartition(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partition must be >= 0 or null, was -1");
  }

  @Test
  void recordsDecodeAndCompareTheirBytes() {
    KafkaRecord record = new KafkaRecord("t", 0, 5L, 42L, "k".getBytes(StandardCharsets.UTF_8),
        null, List.of(KafkaHeader.of("a", "1"), KafkaHeader.of("a", "2")));
    assertThat(record.keyAsString()).isEqualTo("k");
    assertThat(record.valueAsString()).isNull();
    assertThat(record.header("a")).isEqualTo("2");
    assertThat(record.header("missing")).isNull();
    assertThat(record).isEqualTo(new KafkaRecord("t", 0, 5L, 42L, new byte[] {'k'}, null,
        List.of(KafkaHeader.of("a", "1"), KafkaHeader.of("a", "2"))));
    assertThat(record).hasToString("KafkaRecord[t-0@5, key=k, value=null, headers=[a=1, a=2], timestamp=42]");
  }
}
