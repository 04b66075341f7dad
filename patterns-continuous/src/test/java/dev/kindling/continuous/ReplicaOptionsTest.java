package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's lease options: each wrong one fails with a message naming it and saying what replicas need. */
class ReplicaOptionsTest {
    private static final JdbcEndpoint DB1 = new JdbcEndpoint("jdbc:postgresql://db:5432/one", "app", null);
    private static final JdbcEndpoint DB2 = new JdbcEndpoint("jdbc:postgresql://db:5432/two", "app", null);

    @TempDir
    Path tmp;

    private ContinuousRunner.Builder builder() {
        Pipeline p = Pipeline.builder(PipelineKind.INCREMENTAL).name("orders")
                .source(new Fixtures.CountingSource(3))
                .sink(Connectors.builtIn().sink("file:" + tmp.resolve("out") + "?format=json&perBatch=true"))
                .build();
        return ContinuousRunner.builder(p);
    }

    @Test
    void leaseOptionsNeedAPostgresqlWatermarkStore() {
        FileWatermarkStore file = new FileWatermarkStore(tmp.resolve("orders.watermark"));
        assertThatThrownBy(() -> builder().watermarkStore(file).leaseTtl(Duration.ofSeconds(2)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner of 'orders': replicas (lease(...), leaseTtl(...), replicaId(...)) need a JdbcWatermarkStore on "
                        + "PostgreSQL, which holds the lease and fences the watermark commit; the watermark store is file:"
                        + tmp.resolve("orders.watermark"));
        JdbcWatermarkStore h2 = JdbcWatermarkStore.builder(new JdbcEndpoint("jdbc:h2:mem:x", null, null), "orders").build();
        assertThatThrownBy(() -> builder().watermarkStore(h2).replicaId("a").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageEndingWith("the watermark store is jdbc:h2:mem:x table=kindling_watermarks pipeline=orders");
    }

    @Test
    void anExplicitLeaseExcludesTheTtlAndIdAndMustLiveInTheStoresDatabase() {
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(DB1, "orders").build();
        JdbcLease same = JdbcLease.builder(DB1, "orders-leader").holder("a").build();
        assertThatThrownBy(() -> builder().watermarkStore(store).lease(same).leaseTtl(Duration.ofSeconds(3)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner of 'orders': lease(...) excludes leaseTtl(...) and replicaId(...): the lease carries its own ttl and holder id");
        JdbcLease elsewhere = JdbcLease.builder(DB2, "orders-leader").build();
        assertThatThrownBy(() -> builder().watermarkStore(store).lease(elsewhere).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner of 'orders': the lease must be kept in the watermark store's database (database "
                        + "jdbc:postgresql://db:5432/one), where the commit checks it; it is in database jdbc:postgresql://db:5432/two");
        assertThat(builder().watermarkStore(store).lease(same).build().name()).isEqualTo("orders");
    }

    @Test
    void theTtlIsAtLeastOneSecondAndTheIdOneTo300Characters() {
        assertThatThrownBy(() -> builder().leaseTtl(Duration.ofMillis(500))).isInstanceOf(ConfigurationException.class)
                .hasMessage("the lease ttl must be at least 1 s, got PT0.5S");
        assertThatThrownBy(() -> builder().replicaId(" ")).isInstanceOf(ConfigurationException.class)
                .hasMessage("a replica id must be 1 to 300 characters; got ' '");
        assertThatThrownBy(() -> builder().replicaId("r".repeat(301))).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("a replica id must be 1 to 300 characters; got 'rrr");
    }
}
