package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Leases on a real PostgreSQL server: one holder at a time, a token that grows with every grant, a commit
 * fenced by a superseded grant refused, and two keepers that hand the lease over when the leader leaves.
 */
@KindlingPostgresTest
class JdbcLeaseIT {

    private static JdbcEndpoint endpoint(PostgresDatabase db) {
        return new JdbcEndpoint(db.jdbcUrl(), db.user(), Secret.of(db.password()));
    }

    private static JdbcLease lease(PostgresDatabase db, String name, String holder, Duration ttl) {
        return JdbcLease.builder(endpoint(db), name).holder(holder).ttl(ttl).build();
    }

    @Test
    void oneHolderAtATimeAndEachGrantHasAGreaterToken(PostgresDatabase db) {
        JdbcLease a = lease(db, "etl", "a", Duration.ofSeconds(1));
        JdbcLease b = lease(db, "etl", "b", Duration.ofSeconds(1));
        JdbcLease.Grant first = a.tryAcquire().orElseThrow();
        assertThat(first.token()).isEqualTo(1);
        assertThat(b.tryAcquire()).as("b while a's grant runs").isEmpty();
        assertThat(b.holder().orElseThrow()).extracting(JdbcLease.Holder::holder, JdbcLease.Holder::token, JdbcLease.Holder::live)
                .containsExactly("a", 1L, true);

        // a stops renewing; once its grant has run out b takes the lease with the next token
        JdbcLease.Grant second = await().atMost(Duration.ofSeconds(5)).until(b::tryAcquire, Optional::isPresent).orElseThrow();
        assertThat(second).extracting(JdbcLease.Grant::holder, JdbcLease.Grant::token).containsExactly("b", 2L);
        assertThat(a.renew(first)).as("a's renewal after b took the lease").isEmpty();
        assertThat(b.renew(second)).isPresent();

        // another name is another lease
        assertThat(lease(db, "other", "a", Duration.ofSeconds(1)).tryAcquire()).isPresent();
    }

    @Test
    void aCommitUnderASupersededGrantIsRefusedAndOneUnderTheCurrentGrantGoesThrough(PostgresDatabase db) throws Exception {
        db.execute("CREATE TABLE output (id INT PRIMARY KEY, by_holder TEXT)");
        JdbcLease a = lease(db, "fenced", "a", Duration.ofSeconds(1));
        JdbcLease b = lease(db, "fenced", "b", Duration.ofSeconds(1));
        JdbcLease.Grant stale = a.tryAcquire().orElseThrow();
        JdbcLease.Grant current = await().atMost(Duration.ofSeconds(5)).until(b::tryAcquire, Optional::isPresent).orElseThrow();

        try (Connection c = endpoint(db).connect()) {
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO output VALUES (1, 'a')");
            assertThatThrownBy(() -> a.checkFence(c, stale)).isInstanceOf(JdbcLease.LeaseLostException.class)
                    .hasMessage("the lease 'fenced' has passed from a (token 1) to b (token 2); refusing a commit made under the old token");
            c.rollback();
        }
        try (Connection c = endpoint(db).connect()) {
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO output VALUES (2, 'b')");
            b.checkFence(c, current);
            c.commit();
        }
        assertThat(db.queryForList("SELECT id, by_holder FROM output ORDER BY id")).containsExactly(java.util.Map.of("id", 2, "by_holder", "b"));
    }

    @Test
    void aStandbyKeeperTakesOverWhenTheLeaderLeavesAndTheLeaderNamesItself(PostgresDatabase db) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        LeaseKeeper.Listener recorder = new LeaseKeeper.Listener() {
            @Override
            public void elected(JdbcLease.Grant grant) {
                events.add("elected " + grant.holder() + " " + grant.token());
            }
        };
        LeaseKeeper first = LeaseKeeper.start(lease(db, "cycles", "first", Duration.ofSeconds(2)), recorder);
        JdbcLease.Grant firstGrant = first.awaitGrant(Duration.ofSeconds(10)).orElseThrow();
        LeaseKeeper second = LeaseKeeper.start(lease(db, "cycles", "second", Duration.ofSeconds(2)), recorder);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> second.leader().map(JdbcLease.Holder::holder), h -> h.equals(Optional.of("first")));
            assertThat(second.isLeader()).isFalse();
            // the leader renews: its grant, with the same token, comes to run out more than a ttl after the first one did
            JdbcLease.Grant renewed = await().atMost(Duration.ofSeconds(6)).until(() -> first.grant().orElseThrow(),
                    g -> g.expiresAt().isAfter(firstGrant.expiresAt().plusSeconds(2)));
            assertThat(renewed.token()).isEqualTo(firstGrant.token());
            assertThat(second.isLeader()).isFalse();

            first.close();   // releases: the standby takes over within a third of the ttl, not a whole ttl
            JdbcLease.Grant secondGrant = second.awaitGrant(Duration.ofSeconds(2)).orElseThrow();
            assertThat(secondGrant.token()).isEqualTo(firstGrant.token() + 1);
            // the keeper publishes its grant before it tells the listener: wait for the listener's call
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(events).containsExactly("elected first 1", "elected second 2"));
            assertThat(second.leader().orElseThrow().holder()).isEqualTo("second");
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void leasesAreKeptInPostgresqlOnly() {
        assertThatThrownBy(() -> JdbcLease.builder(new JdbcEndpoint("jdbc:h2:mem:x", null, null), "x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("leases are kept in PostgreSQL; jdbc:h2:mem:x is not a PostgreSQL URL");
        assertThatThrownBy(() -> JdbcLease.builder(new JdbcEndpoint("jdbc:postgresql://h/db", null, null), "x").ttl(Duration.ofMillis(10)))
                .isInstanceOf(ConfigurationException.class).hasMessage("a lease's ttl must be at least 1 s; got PT0.01S");
    }
}
