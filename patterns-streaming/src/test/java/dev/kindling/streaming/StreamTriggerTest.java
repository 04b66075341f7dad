package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamTriggerTest {
    @Test
    void parsesIntervalsFastAndAvailableNow() {
        assertThat(StreamTrigger.parse("5s")).isEqualTo(StreamTrigger.every(Duration.ofSeconds(5)));
        assertThat(StreamTrigger.parse("250ms")).isEqualTo(StreamTrigger.every(Duration.ofMillis(250)));
        assertThat(StreamTrigger.parse("fast")).isEqualTo(StreamTrigger.asFastAsPossible());
        assertThat(StreamTrigger.parse("0")).isEqualTo(StreamTrigger.asFastAsPossible());
        assertThat(StreamTrigger.parse("available-now")).isEqualTo(StreamTrigger.availableNow());
        assertThat(StreamTrigger.parse("5s").toString()).isEqualTo("5000ms");
        assertThat(StreamTrigger.asFastAsPossible().toString()).isEqualTo("fast");
    }

    @Test
    void rejectsWhatIsNotATrigger() {
        assertThatThrownBy(() -> StreamTrigger.parse("soon")).isInstanceOf(ConfigurationException.class)
                .hasMessage("trigger must be 'fast', 'available-now' or an interval such as 500ms, 5s, 1m; got 'soon'");
        assertThatThrownBy(() -> StreamTrigger.every(Duration.ofSeconds(-1))).isInstanceOf(ConfigurationException.class)
                .hasMessage("a trigger interval must not be negative; got PT-1S");
    }
}
