package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.Secret;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Watermark;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease of replicas in one JVM: a commit under a superseded grant is refused and changes nothing;
 * a leader whose lease is taken during a cycle abandons it (not a failure), stands by, and publishes
 * the batch again once it leads again; a leader that stops hands the lease over at once.
 */
@KindlingSparkTest
@KindlingPostgresTest
class ReplicaFencingIT {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    private static JdbcEndpoint endpoint(PostgresDatabase db) {
        return new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password()));
    }

    private static ContinuousRunner.Builder runner(PostgresDatabase db, String name, String replica, Duration ttl) {
        db.execute("CREATE TABLE IF NOT EXISTS " + name + "_events (id BIGSERIAL PRIMARY KEY, word TEXT NOT NULL)");
        db.execute("CREATE TABLE IF NOT EXISTS " + name + "_out (id BIGINT PRIMARY KEY, word TEXT NOT NULL)");
        String credentials = "user=" + db.user() + "&password=" + db.password();
        Connectors c = Connectors.builtIn();
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name(name)
                .source(c.source(db.jdbcUrl() + "?table=" + name + "_events&watermarkColumn=id&" + credentials))
                .process(Processor.sql("SELECT id, upper(word) AS word FROM input"))
                .sink(c.sink(db.jdbcUrl() + "?table=" + name + "_out&mode=upsert&keys=id&" + credentials))
                .build();
        return ContinuousRunner.builder(pipeline).watermarkStore(JdbcWatermarkStore.builder(endpoint(db), name).build())
                .interval(Duration.ofHours(1)).replicaId(replica).leaseTtl(ttl);
    }

    private static void insert(PostgresDatabase db, String name, String... words) {
        for (String w : words) {
            db.update("INSERT INTO " + name + "_events (word) VALUES (?)", w);
        }
    }

    private static List<String> output(PostgresDatabase db, String name) {
        return db.queryForList("SELECT id, word FROM " + name + "_out ORDER BY id").stream().map(r -> r.get("id") + ":" + r.get("word")).toList();
    }

    @Test
    void aCommitUnderASupersededGrantIsRefusedAndTheStoredWatermarkStaysAsItWas(PostgresDatabase db) {
        JdbcWatermarkStore store = JdbcWatermarkStore.builder(endpoint(db), "fenced").build();
        JdbcLease a = JdbcLease.builder(endpoint(db), "continuous/fenced").holder("a").ttl(Duration.ofSeconds(1)).build();
        JdbcLease b = JdbcLease.builder(endpoint(db), "continuous/fenced").holder("b").ttl(Duration.ofSeconds(1)).build();
        JdbcLease.Grant stale = a.tryAcquire().orElseThrow();
        CommittedBatch first = new CommittedBatch(0, Watermark.ofLong(10), T0);
        store.commit(first, a, stale);

        // a stops renewing; b takes the lease once a's grant has run out, then a's late commit comes
        JdbcLease.Grant current = await().atMost(Duration.ofSeconds(5)).until(b::tryAcquire, Optional::isPresent).orElseThrow();
        CommittedBatch late = new CommittedBatch(1, Watermark.ofLong(20), T0.plusSeconds(1));
        assertThatThrownBy(() -> store.commit(late, a, stale)).isInstanceOf(JdbcLease.LeaseLostException.class)
                .hasMessage("the lease 'continuous/fenced' has passed from a (token 1) to b (token 2); refusing a commit made under the old token");
        assertThat(store.load()).contains(first);
        assertThat(db.queryForList("SELECT batch_id, watermark FROM kindling_watermarks WHERE pipeline = 'fenced'"))
                .containsExactly(Map.of("batch_id", 0L, "watermark", "LONG:10"));

        store.commit(late, b, current);
        assertThat(store.load()).contains(late);
    }

    @Test
    void aLeaderWhoseLeaseIsTakenDuringACycleAbandonsItStandsByAndPublishesTheBatchWhenItLeadsAgain(PostgresDatabase db, SparkSession spark) {
        Fixtures.Journal journal = new Fixtures.Journal();
        ContinuousRunner runner = runner(db, "stale", "first", Duration.ofSeconds(1)).listener(new CycleListener() {
            private boolean stolen;

            @Override
            public void beforeRead(long batchId) {
                journal.beforeRead(batchId);
            }

            @Override
            public void afterPublish(long batchId, CommittedBatch pending) {
                if (!stolen) { // another replica takes the lease while this one is between publish and commit
                    stolen = true;
                    db.update("UPDATE kindling_leases SET holder = 'intruder', token = token + 1, expires_at = now() + interval '2 seconds' "
                            + "WHERE name = 'continuous/stale'");
                }
            }

            @Override
            public void afterCycle(CycleReport report) {
                journal.afterCycle(report);
            }
        }).build();
        insert(db, "stale", "p", "q");
        try (KindlingService service = Fixtures.serve(spark, runner)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> journal.events.size() >= 2);
            assertThat(journal.events.subList(0, 2)).containsExactly("read 0", "ABANDONED: the lease 'continuous/stale' has passed from "
                    + "first (token 1) to intruder (token 2); refusing a commit made under the old token");
            assertThat(runner.details().consecutiveFailures()).isZero();
            assertThat(db.queryForList("SELECT batch_id FROM kindling_watermarks WHERE pipeline = 'stale'")).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> runner.details().role().equals("standby"));
            assertThat(service.isReady()).isTrue();
            assertThat(service.meterRegistry().get("kindling.continuous.cycles").tag("outcome", "abandoned").counter().count()).isEqualTo(1.0);

            // the intruder's grant runs out; this replica leads again and publishes batch 0 once more
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.details().committed() != null);
            assertThat(journal.events).containsExactly("read 0", "ABANDONED: the lease 'continuous/stale' has passed from "
                    + "first (token 1) to intruder (token 2); refusing a commit made under the old token", "read 0", "published 0");
            assertThat(List.of(runner.details().role(), runner.details().leader(), runner.details().committed().batchId()))
                    .containsExactly("leader", "first", 0L);
            assertThat(db.queryForList("SELECT holder, token FROM kindling_leases WHERE name = 'continuous/stale'"))
                    .containsExactly(Map.of("holder", "first", "token", 3L));
        }
        assertThat(output(db, "stale")).containsExactly("1:P", "2:Q");
    }

    @Test
    void aReplicaIdSetForARunnerWithAFileWatermarkStoreFailsTheStartSayingReplicasNeedPostgresql(SparkSession spark) {
        Path wm = tmp.resolve("solo.watermark");
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name("solo").source(new Fixtures.CountingSource(1))
                .sink(Connectors.builtIn().sink("file:" + tmp.resolve("out") + "?format=json&perBatch=true")).build();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline).watermarkStore(new FileWatermarkStore(wm)).startPaused(true).build();
        assertThatThrownBy(() -> Fixtures.serve(spark, runner, "kindling.continuous.replica-id", "pod-1"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.continuous.replica-id is set, but runner of 'solo' cannot have replicas: that needs the "
                        + "PostgreSQL watermark store (kindling.continuous.watermark-store=jdbc:postgresql://...); with file:" + wm
                        + " every replica would run the cycles");
    }

    @Test
    void aLeaderThatStopsReleasesTheLeaseAndTheStandbyTakesOverAtOnce(PostgresDatabase db, SparkSession spark) {
        Duration ttl = Duration.ofSeconds(6);
        ContinuousRunner first = runner(db, "handover", "first", ttl).build();
        ContinuousRunner second = runner(db, "handover", "second", ttl).build();
        insert(db, "handover", "x", "y");
        KindlingService one = Fixtures.serve(spark, first);
        try (KindlingService two = Fixtures.serve(spark, second)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.details().committed() != null
                    && "first".equals(second.details().leader()));
            assertThat(List.of(first.details().role(), second.details().role(), second.details().replica()))
                    .containsExactly("leader", "standby", "second");
            assertThat(one.meterRegistry().get("kindling.continuous.leader").gauge().value()).isEqualTo(1.0);
            assertThat(two.meterRegistry().get("kindling.continuous.leader").gauge().value()).isEqualTo(0.0);
            assertThatThrownBy(second::runCycle).isInstanceOf(IllegalStateException.class).hasMessage("continuous runner 'handover' is a "
                    + "standby replica; the leader, which runs the cycles, is first: ask it, or retry once this replica leads");

            insert(db, "handover", "z");
            one.shutdown();
            long stopped = System.nanoTime();
            // released: the standby's next ask (every third of the ttl) gets the lease, long before the grant would have run out
            await().atMost(ttl.dividedBy(2)).pollInterval(Duration.ofMillis(20)).until(() -> second.details().role().equals("leader"));
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(ttl.dividedBy(2));
            await().atMost(Duration.ofSeconds(60)).until(() -> second.details().committed() != null
                    && second.details().committed().batchId() == 1);
            assertThat(two.meterRegistry().get("kindling.continuous.leader").gauge().value()).isEqualTo(1.0);
        } finally {
            one.shutdown();
        }
        assertThat(output(db, "handover")).containsExactly("1:X", "2:Y", "3:Z");
        assertThat(db.queryForList("SELECT batch_id, watermark FROM kindling_watermarks WHERE pipeline = 'handover'"))
                .containsExactly(Map.of("batch_id", 1L, "watermark", "LONG:3"));
    }
}
