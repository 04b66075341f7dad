package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.ipp.Failures.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void transientFailures() {
        assertThat(Failures.classify(new TransientException("down", null))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new RuntimeException(new ConnectException("refused")))).isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new IOException("reset"))).isEqualTo(Kind.TRANSIENT);
        for (String state : new String[] {"08006", "08001", "40001", "40P01", "53300", "57P01", "57P03", "HYT00"}) {
            assertThat(Failures.classify(new SQLException("x", state))).as(state).isEqualTo(Kind.TRANSIENT);
        }
        assertThat(Failures.classify(new RuntimeException(new org.apache.kafka.common.errors.TimeoutException("no broker"))))
                .as("a Kafka RetriableException").isEqualTo(Kind.TRANSIENT);
        assertThat(Failures.classify(new org.apache.spark.SparkException("job aborted", new ConnectException("refused"))))
                .as("Spark's wrapper of a network failure").isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void configurationFailuresWinOverEverythingInTheChain() {
        assertThat(Failures.classify(new ConfigurationException("bad"))).isEqualTo(Kind.CONFIGURATION);
        assertThat(Failures.classify(new ConfigurationException("bad", new ConnectException("refused")))).isEqualTo(Kind.CONFIGURATION);
        assertThat(Failures.classify(new TransientException("outer", new ConfigurationException("inner")))).isEqualTo(Kind.CONFIGURATION);
        assertThat(Failures.isConfiguration(new RuntimeException(new ConfigurationException("x")))).isTrue();
    }

    @Test
    void permanentFailures() {
        assertThat(Failures.classify(new KindlingException("data"))).isEqualTo(Kind.PERMANENT);
        assertThat(Failures.classify(new SQLException("syntax", "42601"))).isEqualTo(Kind.PERMANENT);
        assertThat(Failures.classify(new SQLException("no state"))).isEqualTo(Kind.PERMANENT);
        assertThat(Failures.classify(new IllegalStateException())).isEqualTo(Kind.PERMANENT);
        assertThat(Failures.classify(new java.io.FileNotFoundException("gone"))).as("not a plain IOException").isEqualTo(Kind.PERMANENT);
        assertThat(Failures.retryable(new KindlingException("outer", new ConnectException("refused"))))
                .as("a KindlingException decides for its chain").isFalse();
    }

    @Test
    void sqlFailuresBecomeTheRightException() {
        assertThat(Failures.fromSql("saving job 1", new SQLException("terminating connection", "57P01")))
                .isInstanceOf(TransientException.class)
                .hasMessage("saving job 1: terminating connection (SQL state 57P01)");
        KindlingException permanent = Failures.fromSql("saving job 1", new SQLException("duplicate key", "23505"));
        assertThat(permanent).isNotInstanceOf(TransientException.class);
        assertThat(permanent.retryable()).isFalse();
    }

    @Test
    void causeChainWalksStopOnCycles() {
        RuntimeException a = new RuntimeException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        assertThat(Failures.causes(b)).containsExactly(b, a);
        assertThat(Failures.find(b, IllegalStateException.class)).containsSame(b);
        assertThat(Failures.rootMessage(new RuntimeException("outer", new IllegalStateException("inner")))).isEqualTo("inner");
        assertThat(Failures.rootMessage(new RuntimeException("outer", new IllegalStateException()))).isEqualTo("IllegalStateException");
        assertThat(Failures.summary(new RuntimeException("cycle failed", new ConnectException("refused"))))
                .isEqualTo("cycle failed (cause: refused)");
    }
}
