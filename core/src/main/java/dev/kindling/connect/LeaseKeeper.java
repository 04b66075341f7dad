package dev.kindling.connect;

import dev.kindling.ipp.Redactor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Campaigns for a {@link JdbcLease} and keeps it: one daemon thread asks for the lease while another
 * holder has it and renews it while this process holds it, every third of the lease's ttl. A runner
 * that must be the only one of its replicas to work waits in {@link #awaitGrant()} and commits its
 * work fenced by the grant it got ({@link JdbcLease#checkFence}).
 *
 * <pre>{@code
 * LeaseKeeper keeper = LeaseKeeper.start(lease, new LeaseKeeper.Listener() {
 *     public void lost(JdbcLease.Grant grant, String why) { log.warn("no longer the leader: {}", why); }
 * });
 * JdbcLease.Grant grant = keeper.awaitGrant();   // blocks while a standby
 * ... work, then commit with lease.checkFence(connection, grant)
 * keeper.close();                                 // gives the lease up, so a standby takes over at once
 * }</pre>
 *
 * <p><b>Timing.</b> A leader that dies stops renewing; its grant runs out one ttl after its last
 * renewal at the latest, and a standby asks again within a third of the ttl: a standby takes over at most
 * 1⅓ ttl after the leader's death. A leader whose renewals fail (the database is away) counts its grant
 * as lost once the ttl has passed since the renewal request that last succeeded was sent, by its own
 * monotonic clock — before any standby can have taken the lease by the database's clock.
 *
 * <p><b>Threads.</b> The listener is called on the keeper's thread, which must not be blocked long;
 * {@link #grant()}, {@link #leader()} and {@link #awaitGrant()} may be called from any thread.
 * {@link #close()} stops the thread and releases a held grant.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    /** What a keeper tells its owner. Every method defaults to doing nothing. */
    public interface Listener {
        /** This process now holds the lease under {@code grant}. */
        default void elected(JdbcLease.Grant grant) {
        }

        /** This process no longer holds {@code grant}; {@code why} says how it was lost. */
        default void lost(JdbcLease.Grant grant, String why) {
        }

        /** Asking for or renewing the lease failed (the database is away); called on every failed attempt. */
        default void unreachable(RuntimeException error) {
        }

        /** The database answered again after {@link #unreachable}. */
        default void reachable() {
        }
    }

    private final JdbcLease lease;
    private final Listener listener;
    private final long periodNanos;
    private final Thread thread;
    private final Object lock = new Object();
    private JdbcLease.Grant grant;
    private long grantDeadlineNanos;
    private volatile Optional<JdbcLease.Holder> leader = Optional.empty();
    private volatile String lastError = "";
    private volatile boolean closed;

    private LeaseKeeper(JdbcLease lease, Listener listener) {
        this.lease = lease;
        this.listener = listener;
        this.periodNanos = Math.max(lease.ttl().toNanos() / 3, Duration.ofMillis(100).toNanos());
        this.thread = new Thread(this::run, "kindling-lease-" + lease.name());
        this.thread.setDaemon(true);
    }

    /** Starts campaigning for {@code lease}. */
    public static LeaseKeeper start(JdbcLease lease, Listener listener) {
        LeaseKeeper keeper = new LeaseKeeper(Objects.requireNonNull(lease, "lease"), Objects.requireNonNull(listener, "listener"));
        keeper.thread.start();
        return keeper;
    }

    public JdbcLease lease() {
        return lease;
    }

    /** The grant this process holds now, or empty while a standby. */
    public Optional<JdbcLease.Grant> grant() {
        synchronized (lock) {
            return Optional.ofNullable(grant);
        }
    }

    /** Whether this process holds the lease now. */
    public boolean isLeader() {
        return grant().isPresent();
    }

    /** The holder as last read by a standby (or this process while it leads); empty before the first read. */
    public Optional<JdbcLease.Holder> leader() {
        Optional<JdbcLease.Grant> own = grant();
        if (own.isPresent()) {
            JdbcLease.Grant g = own.get();
            return Optional.of(new JdbcLease.Holder(g.holder(), g.token(), g.expiresAt(), true));
        }
        return leader;
    }

    /** The last error met while asking for or renewing the lease (redacted), or the empty string. */
    public String lastError() {
        return lastError;
    }

    /** Blocks until this process holds the lease, and returns the grant. */
    public JdbcLease.Grant awaitGrant() throws InterruptedException {
        synchronized (lock) {
            while (grant == null) {
                if (closed) {
                    throw new InterruptedException("the lease keeper of '" + lease.name() + "' is closed");
                }
                lock.wait();
            }
            return grant;
        }
    }

    /** Blocks until this process holds the lease or {@code timeout} passes. */
    public Optional<JdbcLease.Grant> awaitGrant(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (grant == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return Optional.ofNullable(grant);
        }
    }

    private void run() {
        while (!closed) {
            long started = System.nanoTime();
            try {
                tick(started);
                if (!lastError.isEmpty()) {
                    lastError = "";
                    listener.reachable();
                }
            } catch (RuntimeException e) {
                lastError = Redactor.redact(String.valueOf(e.getMessage()));
                LOG.warn("lease '{}': {}", lease.name(), lastError);
                expireIfOverdue();
                listener.unreachable(e);
            }
            synchronized (lock) {
                long left = periodNanos - (System.nanoTime() - started);
                while (!closed && left > 0) {
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    left = periodNanos - (System.nanoTime() - started);
                }
            }
        }
    }

    private void tick(long sent) {
        JdbcLease.Grant held = grant().orElse(null);
        if (held != null) {
            Optional<JdbcLease.Grant> renewed = lease.renew(held);
            if (renewed.isPresent()) {
                synchronized (lock) {
                    if (grant != null && grant.token() == held.token()) {
                        grant = renewed.get();
                        grantDeadlineNanos = sent + lease.ttl().toNanos();
                    }
                }
            } else {
                drop(held, "another replica has taken the lease '" + lease.name() + "'");
            }
            return;
        }
        Optional<JdbcLease.Grant> got = lease.tryAcquire();
        if (got.isPresent()) {
            synchronized (lock) {
                if (closed) {
                    lease.release(got.get());
                    return;
                }
                grant = got.get();
                grantDeadlineNanos = sent + lease.ttl().toNanos();
                lock.notifyAll();
            }
            LOG.info("lease '{}': {} is the leader (token {})", lease.name(), got.get().holder(), got.get().token());
            listener.elected(got.get());
        } else {
            leader = lease.holder();
        }
    }

    private void expireIfOverdue() {
        JdbcLease.Grant held;
        synchronized (lock) {
            held = grant;
            if (held == null || System.nanoTime() - grantDeadlineNanos < 0) {
                return;
            }
        }
        drop(held, "the lease '" + lease.name() + "' could not be renewed within its ttl of " + lease.ttl().toMillis() + " ms: " + lastError);
    }

    private void drop(JdbcLease.Grant held, String why) {
        synchronized (lock) {
            if (grant == null || grant.token() != held.token()) {
                return;
            }
            grant = null;
        }
        LOG.warn("lease '{}': {} is no longer the leader: {}", lease.name(), held.holder(), why);
        listener.lost(held, why);
    }

    /** Stops campaigning and releases a held grant (a failure to release is logged: the grant then runs out by itself). */
    @Override
    public void close() {
        JdbcLease.Grant held;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            held = grant;
            grant = null;
            lock.notifyAll();
        }
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (held != null) {
            try {
                lease.release(held);
            } catch (RuntimeException e) {
                LOG.warn("lease '{}': cannot release it ({}); it runs out in {} ms", lease.name(), Redactor.redact(String.valueOf(e.getMessage())),
                        lease.ttl().toMillis());
            }
        }
    }
}
