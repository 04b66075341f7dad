package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class WatermarkTest {

    @Test
    void serialisesAndParsesEveryKind() {
        for (Watermark w : new Watermark[] {Watermark.ofLong(-7), Watermark.ofInstant(Instant.parse("2026-11-25T10:15:30.123456Z")),
                Watermark.ofString("a:b")}) {
            assertThat(Watermark.parse(w.serialize())).isEqualTo(w);
        }
        assertThat(Watermark.ofLong(41).serialize()).isEqualTo("LONG:41");
    }

    @Test
    void ordersNumericallyNotAsText() {
        assertThat(Watermark.ofLong(10).compareTo(Watermark.ofLong(9))).isPositive();
        assertThat(Watermark.ofInstant(Instant.parse("2026-01-02T00:00:00Z"))
                .compareTo(Watermark.ofInstant(Instant.parse("2026-01-01T23:59:59Z")))).isPositive();
    }

    @Test
    void refusesToCompareDifferentKinds() {
        assertThatThrownBy(() -> Watermark.ofLong(1).compareTo(Watermark.ofString("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LONG").hasMessageContaining("STRING");
    }

    @Test
    void convertsValuesFromSparkAndJdbc() {
        assertThat(Watermark.fromValue(5)).isEqualTo(Watermark.ofLong(5));
        assertThat(Watermark.fromValue(Timestamp.from(Instant.parse("2026-11-25T00:00:00Z"))))
                .isEqualTo(Watermark.ofInstant(Instant.parse("2026-11-25T00:00:00Z")));
        assertThat(Watermark.fromValue(LocalDateTime.parse("2026-11-25T01:02:03")))
                .isEqualTo(Watermark.ofInstant(Instant.parse("2026-11-25T01:02:03Z")));
        assertThatThrownBy(() -> Watermark.fromValue(1.5)).isInstanceOf(ConfigurationException.class).hasMessageContaining("java.lang.Double");
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> Watermark.parse("41")).isInstanceOf(ConfigurationException.class).hasMessageContaining("KIND:value");
        assertThatThrownBy(() -> Watermark.parse("LONG:x")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> Watermark.parse("DATE:2026")).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void jdbcValuesHaveTheRightTypes() {
        assertThat(Watermark.ofLong(3).jdbcValue()).isEqualTo(3L);
        assertThat(Watermark.ofInstant(Instant.EPOCH).jdbcValue()).isEqualTo(Timestamp.from(Instant.EPOCH));
        assertThat(Watermark.ofInstant(Instant.EPOCH).instant()).contains(Instant.EPOCH);
        assertThat(Watermark.ofLong(3).instant()).isEmpty();
    }
}
