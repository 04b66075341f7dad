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
                .hasMessage("trigger must be 'auto', 'real-time', 'fast', 'available-now', an interval such as 500ms, 5s, 1m, "
                        + "or 'auto:' / 'real-time:' followed by one; got 'soon'");
        assertThatThrownBy(() -> StreamTrigger.parse("real-time:soon")).isInstanceOf(ConfigurationException.class)
                .hasMessageEndingWith("got 'real-time:soon'");
        assertThatThrownBy(() -> StreamTrigger.realTime(Duration.ofMillis(10))).isInstanceOf(ConfigurationException.class)
                .hasMessage("a real-time query's checkpoint interval must be at least 100ms; got PT0.01S");
        assertThatThrownBy(() -> StreamTrigger.every(Duration.ofSeconds(-1))).isInstanceOf(ConfigurationException.class)
                .hasMessage("a trigger interval must not be negative; got PT-1S");
    }

    @Test
    void parsesRealTimeAndAutoWithTheirCheckpointIntervals() {
        assertThat(StreamTrigger.parse("auto")).isEqualTo(StreamTrigger.auto()).isEqualTo(StreamTrigger.auto(Duration.ofSeconds(5)));
        assertThat(StreamTrigger.parse("AUTO:2s")).isEqualTo(StreamTrigger.auto(Duration.ofSeconds(2)));
        assertThat(StreamTrigger.parse("real-time")).isEqualTo(StreamTrigger.realTime(Duration.ofSeconds(5)));
        assertThat(StreamTrigger.parse(" real-time: 30s ")).isEqualTo(StreamTrigger.realTime(Duration.ofSeconds(30)));
        assertThat(StreamTrigger.parse("real-time:30s").toString()).isEqualTo("real-time:30000ms");
        assertThat(StreamTrigger.auto().toString()).isEqualTo("auto:5000ms");
    }

    @Test
    void autoResolvesToRealTimeOrToMicroBatchesOnItsIntervalAndOnlyResolvedTriggersReachSpark() {
        assertThat(StreamTrigger.auto(Duration.ofSeconds(2)).resolve(true)).isEqualTo(StreamTrigger.realTime(Duration.ofSeconds(2)));
        assertThat(StreamTrigger.auto(Duration.ofSeconds(2)).resolve(false)).isEqualTo(StreamTrigger.every(Duration.ofSeconds(2)));
        assertThat(StreamTrigger.every(Duration.ofSeconds(2)).resolve(true)).isEqualTo(StreamTrigger.every(Duration.ofSeconds(2)));
        assertThat(StreamTrigger.realTime(Duration.ofSeconds(2)).realTime()).isTrue();
        assertThat(StreamTrigger.auto().realTime()).isFalse();
        assertThat(StreamTrigger.realTime(Duration.ofSeconds(2)).toSpark().getClass().getSimpleName()).isEqualTo("RealTimeTrigger");
        assertThatThrownBy(() -> StreamTrigger.auto().toSpark()).isInstanceOf(IllegalStateException.class);
    }
}
