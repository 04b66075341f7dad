package dev.kindling.streaming.internal;

import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.LeaseKeeper;
import dev.kindling.ipp.Dependency;
import dev.kindling.service.ComponentMeters;
import dev.kindling.service.Problem;
import dev.kindling.streaming.StreamingStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replica of a streaming service runs the queries of one checkpoint. Without a lease the runner is
 * the only replica and always leads ({@link #solo()}). With a {@link JdbcLease} a {@link LeaseKeeper}
 * campaigns for it: the supervisor starts the queries only once this process holds a grant
 * ({@link #awaitGrant}), and stops them as soon as {@link #holds} turns false (the keeper reports the
 * grant lost: another replica took the lease, or it could not be renewed within its ttl); then it waits
 * for the lease again. The tables answer only while the queries run under a held grant ({@link #serving}).
 *
 * <pre>{@code
 * Leadership l = Leadership.of(lease);
 * l.start(signal, meters);
 * JdbcLease.Grant g = l.awaitGrant(signal).orElseThrow();   // supervisor thread: blocks while a standby
 * ... start the queries; l.serving(g);  ... while (l.holds(g)) wait ...; l.stepDown(); stop the queries
 * l.close(true);                                            // releases the lease: a standby takes over at once
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #start} and {@link #close} are called by the runner's start and stop; {@link #awaitGrant},
 * {@link #serving} and {@link #stepDown} on the supervisor's thread; the keeper's listener on the keeper's thread
 * (it only wakes the supervisor); the rest from any thread (HTTP, meters).
 */
public final class Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    /** How long one wait for the grant lasts before the stop request is checked again. */
    private static final Duration POLL = Duration.ofMillis(250);
    /** The longest lease name; longer checkpoint paths are shortened with a digest. */
    private static final int MAX_NAME = 200;

    private final JdbcLease lease;
    private final AtomicLong elections = new AtomicLong();
    private volatile LeaseKeeper keeper;
    private volatile JdbcLease.Grant serving;
    private volatile boolean started;

    private Leadership(JdbcLease lease) {
        this.lease = lease;
    }

    /** A runner without replicas: it always leads. */
    public static Leadership solo() {
        return new Leadership(null);
    }

    /** A runner that leads only while it holds {@code lease}. */
    public static Leadership of(JdbcLease lease) {
        return new Leadership(lease);
    }

    /**
     * The lease name of the queries that checkpoint in {@code checkpoint}: {@code streaming/CHECKPOINT}; when that is
     * longer than 200 characters, its first 135 characters, {@code ~} and the SHA-256 of the whole path (hex).
     */
    public static String leaseName(String checkpoint) {
        String name = "streaming/" + checkpoint;
        if (name.length() <= MAX_NAME) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(checkpoint.getBytes(StandardCharsets.UTF_8));
            return name.substring(0, MAX_NAME - 65) + "~" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Whether replicas share the work through a lease. */
    public boolean replicated() {
        return lease != null;
    }

    /** The lease's database, as a dependency the service checks at {@code /readyz}; empty without a lease. */
    public List<Dependency> dependencies() {
        return lease == null ? List.of() : List.of(lease.dependency());
    }

    /**
     * Registers the gauge {@code kindling_streaming_leader} and, with a lease, starts campaigning: the keeper's
     * reports wake {@code signal}, so the supervisor sees a lost grant at once.
     */
    public void start(StopSignal signal, ComponentMeters meters) {
        meters.gauge("leader", "1 while this replica runs the queries (holds the lease; always 1 without a lease)", this,
                l -> l.leading() ? 1 : 0);
        started = true;
        if (lease != null) {
            keeper = LeaseKeeper.start(lease, new LeaseKeeper.Listener() {
                @Override
                public void elected(JdbcLease.Grant grant) {
                    signal.wake();
                }

                @Override
                public void lost(JdbcLease.Grant grant, String why) {
                    signal.wake();
                }
            });
            LOG.info("streaming replica '{}' campaigns for the lease '{}' (ttl {} ms)", lease.holderId(), lease.name(), lease.ttl().toMillis());
        }
    }

    /**
     * Blocks until this replica holds the lease or a stop is requested; only with a lease, after {@link #start}.
     *
     * @return the grant, or empty when a stop was requested
     */
    public Optional<JdbcLease.Grant> awaitGrant(StopSignal signal) throws InterruptedException {
        LeaseKeeper k = keeper;
        if (k == null) {
            throw new IllegalStateException("a runner without a lease, or not started, does not wait for one");
        }
        while (!signal.isRequested()) {
            Optional<JdbcLease.Grant> g = k.awaitGrant(POLL);
            if (g.isPresent()) {
                elections.incrementAndGet();
                LOG.info("streaming replica '{}' leads (lease '{}', token {}): starting the queries", lease.holderId(), lease.name(),
                        g.get().token());
                return g;
            }
        }
        return Optional.empty();
    }

    /** Whether this replica still holds {@code grant} (always, without a lease). */
    public boolean holds(JdbcLease.Grant grant) {
        LeaseKeeper k = keeper;
        return k == null || k.grant().map(g -> g.token() == grant.token()).orElse(false);
    }

    /** The queries run under {@code grant}: the tables may answer while it is held. */
    public void serving(JdbcLease.Grant grant) {
        serving = grant;
    }

    /** The queries are about to stop (the grant is lost, or the runner stops or fails): the tables answer 503 from now on. */
    public void stepDown() {
        serving = null;
    }

    /** Whether this replica runs the queries under a grant it still holds (always true without a lease, once started). */
    public boolean leading() {
        if (lease == null) {
            return started;
        }
        JdbcLease.Grant g = serving;
        return g != null && holds(g);
    }

    /** Whether this replica is a standby: replicated, and not {@link #leading()}. */
    public boolean standby() {
        return lease != null && !leading();
    }

    /**
     * Why the tables of {@code runner} cannot answer now: a 503 problem naming the leader, with a
     * {@code Retry-After} of a third of the ttl (at least 1 s); empty while this replica leads or without a lease.
     */
    public Optional<Problem> tablesUnavailable(String runner) {
        if (lease == null || leading()) {
            return Optional.empty();
        }
        String leader = leader();
        long retry = Math.max(1, (lease.ttl().toMillis() / 3 + 999) / 1000);
        String detail = lease.holderId().equals(leader)
                ? "streaming runner '" + runner + "' (" + lease.holderId() + ") has just taken the lease '" + lease.name()
                        + "' and is starting its queries"
                : "streaming runner '" + runner + "' is a standby replica (" + lease.holderId() + "): its tables are served by "
                        + (leader == null ? "the leader, which is not known yet" : "the leader, " + leader)
                        + "; this replica takes over when that one's lease '" + lease.name() + "' runs out";
        return Optional.of(Problem.of(503, "Service Unavailable", detail).with("role", "standby")
                .with("leader", leader).with("retryAfterSeconds", retry));
    }

    /** The holder id of the live leader as last read (this replica's own while it leads), or null when none is known. */
    public String leader() {
        LeaseKeeper k = keeper;
        if (k == null) {
            return null;
        }
        return k.leader().filter(JdbcLease.Holder::live).map(JdbcLease.Holder::holder).orElse(null);
    }

    /** The replica part of the runner's status; null without a lease. */
    public StreamingStatus.Replica status() {
        if (lease == null) {
            return null;
        }
        LeaseKeeper k = keeper;
        String error = k == null ? "" : k.lastError();
        return new StreamingStatus.Replica(leading() ? "leader" : "standby", lease.holderId(), leader(), lease.name(),
                lease.ttl().toMillis(), elections.get(), error.isEmpty() ? null : error);
    }

    /**
     * Stops campaigning. With {@code release} a held grant is given up, so that a standby takes over at once;
     * without, the keeper goes on renewing it until the process exits (queries left running at the shutdown
     * deadline must not overlap with a new leader's), after which it runs out by itself.
     */
    public void close(boolean release) {
        serving = null;
        LeaseKeeper k = keeper;
        if (k == null) {
            return;
        }
        if (release) {
            k.close();
        } else {
            LOG.warn("streaming replica '{}' keeps the lease '{}' until the process exits: its queries are still stopping",
                    lease.holderId(), lease.name());
        }
    }

    /** Stops campaigning for good and gives a held grant up (the runner failed or completed: another replica may take over). */
    public void resign(String why) {
        serving = null;
        LeaseKeeper k = keeper;
        if (k != null) {
            LOG.warn("streaming replica '{}' gives up the lease '{}': {}", lease.holderId(), lease.name(), why);
            k.close();
        }
    }
}
