package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.streaming.internal.Leadership;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lease settings and builder checks of replicated runners; nothing here connects to a database. */
class ReplicaSettingsTest {
    private static final String LEASE_STORE = "jdbc:postgresql://db:5432/ops?sslmode=require&user=kindling&password=s3cret";

    private static StreamingRunner fromSettings(Map<String, String> more) {
        Map<String, String> s = new HashMap<>(Map.of("kindling.streaming.source", "kafka://127.0.0.1:9/in",
                "kindling.streaming.sink", "table:t?keys=word", "kindling.streaming.decode", "text"));
        s.putAll(more);
        return StreamingRunner.fromSettings(Settings.of(s));
    }

    @Test
    void theLeaseIsNamedAfterTheCheckpointAndTakesItsTtlAndReplicaIdFromTheSettings() {
        StreamingRunner runner = fromSettings(Map.of("kindling.streaming.checkpoint", "/data/wordcount/",
                "kindling.streaming.lease-store", LEASE_STORE, "kindling.streaming.lease-ttl", "2s",
                "kindling.streaming.replica-id", "pod-a"));
        assertThat(runner.details().replica())
                .isEqualTo(new StreamingStatus.Replica("standby", "pod-a", null, "streaming//data/wordcount", 2000, 0, null));
        assertThat(runner.dependencies()).extracting(d -> d.name()).contains("database jdbc:postgresql://db:5432/ops?sslmode=require");

        StreamingRunner defaults = fromSettings(Map.of("kindling.streaming.checkpoint", "/data/wordcount",
                "kindling.streaming.lease-store", LEASE_STORE));
        assertThat(defaults.details().replica().ttlMs()).isEqualTo(15_000);
        assertThat(defaults.details().replica().replicaId()).isEqualTo(JdbcLease.defaultHolderId());
    }

    @Test
    void withoutALeaseStoreThereIsNoReplicaStatus() {
        assertThat(fromSettings(Map.of("kindling.streaming.checkpoint", "/data/wordcount")).details().replica()).isNull();
    }

    @Test
    void aLeaseNeedsACheckpointAPostgresqlStoreAndATtlOfAtLeastASecond() {
        assertThatThrownBy(() -> fromSettings(Map.of("kindling.streaming.lease-store", LEASE_STORE)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("kindling.streaming.lease-store needs kindling.streaming.checkpoint: replicas hand the queries over through "
                        + "their shared checkpoint, and the lease is named after it");
        assertThatThrownBy(() -> fromSettings(Map.of("kindling.streaming.checkpoint", "/cp", "kindling.streaming.lease-store", "file:/leases")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("kindling.streaming.lease-store is a jdbc:postgresql:// URI; got 'file:/leases'");
        assertThatThrownBy(() -> fromSettings(Map.of("kindling.streaming.checkpoint", "/cp", "kindling.streaming.lease-store", "jdbc:h2:mem:x")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("leases are kept in PostgreSQL; jdbc:h2:mem:x is not a PostgreSQL URL");
        assertThatThrownBy(() -> fromSettings(Map.of("kindling.streaming.checkpoint", "/cp", "kindling.streaming.lease-store", LEASE_STORE,
                "kindling.streaming.lease-ttl", "500ms")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("kindling.streaming.lease-ttl must be at least 1s; got 500ms");

        Pipeline p = Pipeline.builder(PipelineKind.STREAMING).name("x").source(Connectors.builtIn().source("kafka://127.0.0.1:9/in"))
                .sink(Connectors.builtIn().sink("console:")).build();
        JdbcLease lease = JdbcLease.builder(new JdbcEndpoint("jdbc:postgresql://db/ops", null, null), "streaming/x").build();
        assertThatThrownBy(() -> StreamingRunner.builder(p).lease(lease).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("runner 'x' has a lease but no checkpoint: replicas hand the queries over through their shared checkpoint; "
                        + "set checkpoint(...) / kindling.streaming.checkpoint");
    }

    @Test
    void aLongCheckpointPathGivesALeaseNameOf200CharactersEndingInItsDigest() {
        String path = "/data/" + "a".repeat(300);
        String name = Leadership.leaseName(path);
        assertThat(name).hasSize(200).startsWith("streaming//data/aaa").contains("~");
        assertThat(name.substring(name.indexOf('~') + 1)).hasSize(64).matches("[0-9a-f]+");
        assertThat(Leadership.leaseName(path + "b")).isNotEqualTo(name);
        assertThat(Leadership.leaseName("/data/wordcount")).isEqualTo("streaming//data/wordcount");
        assertThat(Duration.ofMillis(StreamingSettings.LEASE_TTL.defaultValue().toMillis())).isEqualTo(Duration.ofSeconds(15));
    }
}
