package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void classifiesRetryableFailures() {
        assertThat(Failures.retryable(new TransientException("down", null))).isTrue();
        assertThat(Failures.retryable(new RuntimeException(new ConnectException("refused")))).isTrue();
        assertThat(Failures.retryable(new SQLException("gone", "08006"))).isTrue();
    }

    @Test
    void classifiesPermanentFailures() {
        assertThat(Failures.retryable(new ConfigurationException("bad"))).isFalse();
        assertThat(Failures.retryable(new ConfigurationException("bad", new ConnectException("refused")))).isFalse();
        assertThat(Failures.retryable(new KindlingException("data"))).isFalse();
        assertThat(Failures.retryable(new SQLException("syntax", "42601"))).isFalse();
        assertThat(Failures.retryable(new IllegalStateException())).isFalse();
    }

    @Test
    void rootMessageIsTheInnermost() {
        assertThat(Failures.rootMessage(new RuntimeException("outer", new IllegalStateException("inner")))).isEqualTo("inner");
        assertThat(Failures.rootMessage(new RuntimeException("outer", new IllegalStateException()))).isEqualTo("IllegalStateException");
    }
}
