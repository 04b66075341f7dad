package dev.kindling.continuous.internal;

import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.LeaseKeeper;
import java.time.Instant;
import java.util.Optional;

/**
 * Which of a pipeline's replicas runs its cycles. With a {@link JdbcLease} (a PostgreSQL watermark
 * store), a {@link LeaseKeeper} campaigns for it and keeps it: the replica that holds it is the
 * leader, the others are standbys whose cycle thread waits in {@link #awaitFence()}. Without one
 * ({@link #single()}) this replica always leads and its cycles are not fenced.
 *
 * <pre>{@code
 * Leadership leadership = Leadership.of(lease);
 * leadership.start(why -> supervisor.leaseLost(why), context);
 * Fence fence = leadership.awaitFence();          // the cycle thread, while a standby
 * ...
 * leadership.wake();                              // the stop: the waiting thread gives up
 * leadership.close();                             // after the cycle thread ended: releases the lease
 * }</pre>
 *
 * <p>Threads: {@link #start} and {@link #close} on the service's starting and stopping threads;
 * {@link #awaitFence()} on the cycle thread only, which {@link #wake()} interrupts while it waits;
 * the rest from any thread. The {@link Events} are called on the keeper's thread.
 */
public final class Leadership implements LeaseKeeper.Listener {
    /** What the owner hears of the lease. */
    @FunctionalInterface
    public interface Events {
        /** This replica lost the lease it held; {@code why} says how. */
        void lost(String why);
    }

    private final JdbcLease lease;
    private volatile LeaseKeeper keeper;
    private volatile Events events = why -> { };
    private volatile dev.kindling.service.ComponentContext context;

    // guarded by this
    private Thread waiting;
    private boolean woken;
    private long refusedToken = -1;

    private Leadership(JdbcLease lease) {
        this.lease = lease;
    }

    /** No lease: this replica always leads. */
    public static Leadership single() {
        return new Leadership(null);
    }

    /** Leadership decided by {@code lease}. */
    public static Leadership of(JdbcLease lease) {
        return new Leadership(lease);
    }

    /**
     * Starts campaigning (nothing without a lease). While the lease's database cannot be asked, the error is the
     * component's last error ({@code context}), so that a replica that cannot lead says why.
     */
    public void start(Events events, dev.kindling.service.ComponentContext context) {
        this.events = events;
        this.context = context;
        if (lease != null) {
            keeper = LeaseKeeper.start(lease, this);
        }
    }

    /** The lease, or null without replicas. */
    public JdbcLease lease() {
        return lease;
    }

    /** Whether this replica may run cycles now: always without a lease, while it holds it with one. */
    public boolean leads() {
        LeaseKeeper k = keeper;
        return lease == null || (k != null && k.isLeader());
    }

    /** {@code single} (no lease), {@code leader} or {@code standby}. */
    public String role() {
        return lease == null ? "single" : leads() ? "leader" : "standby";
    }

    /** This replica's id as the lease's holder, or null without a lease. */
    public String replicaId() {
        return lease == null ? null : lease.holderId();
    }

    /** The leader's id as this replica last saw it (its own while it leads), or null when unknown or without a lease. */
    public String leader() {
        LeaseKeeper k = keeper;
        return k == null ? null : k.leader().map(JdbcLease.Holder::holder).orElse(null);
    }

    /** The id of another replica that holds the lease now, as far as this one knows; empty while this one leads or nobody does. */
    public Optional<String> otherLeader() {
        LeaseKeeper k = keeper;
        if (k == null || k.isLeader()) {
            return Optional.empty();
        }
        return k.leader().filter(h -> h.live() && h.expiresAt().isAfter(Instant.now()) && !h.holder().equals(lease.holderId()))
                .map(JdbcLease.Holder::holder);
    }

    /** The fence of the grant held now: {@link Fence#NONE} without a lease, empty while a standby. */
    public Optional<Fence> fence() {
        if (lease == null) {
            return Optional.of(Fence.NONE);
        }
        LeaseKeeper k = keeper;
        return k == null ? Optional.empty() : k.grant().map(g -> new Fence(lease, g, k));
    }

    /**
     * Blocks the cycle thread until this replica holds the lease under a token that was not refused,
     * and returns its fence; {@link Fence#NONE} at once without a lease.
     *
     * @throws InterruptedException after {@link #wake()}
     */
    public Fence awaitFence() throws InterruptedException {
        if (lease == null) {
            return Fence.NONE;
        }
        synchronized (this) {
            if (woken) {
                throw new InterruptedException("the runner is stopping");
            }
            waiting = Thread.currentThread();
        }
        try {
            return awaitGrant();
        } finally {
            synchronized (this) {
                waiting = null;
            }
        }
    }

    /**
     * Blocks the calling thread (not the cycle thread) until this replica holds the lease.
     *
     * @throws IllegalStateException when the lease keeper closes first
     */
    public Fence awaitFenceForCaller() {
        if (lease == null) {
            return Fence.NONE;
        }
        try {
            return awaitGrant();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while waiting for the lease '" + lease.name() + "': " + e.getMessage(), e);
        }
    }

    private Fence awaitGrant() throws InterruptedException {
        LeaseKeeper k = keeper;
        if (k == null) {
            throw new InterruptedException("the lease '" + lease.name() + "' is not campaigned for");
        }
        while (true) {
            k.awaitGrant();
            synchronized (this) {
                Optional<JdbcLease.Grant> now = k.grant();
                if (now.isPresent() && now.get().token() != refusedToken) {
                    return new Fence(lease, now.get(), k);
                }
                if (now.isPresent()) {
                    wait(); // a commit under this token was refused: wait until the keeper drops it too (lost() notifies)
                }
            }
        }
    }

    /** Marks {@code fence}'s token as refused by the database: no cycle runs under it again. */
    public void refuse(Fence fence) {
        if (fence != Fence.NONE) {
            synchronized (this) {
                refusedToken = fence.token();
            }
        }
    }

    /** Makes {@link #awaitFence()} throw, now or when it is next called. */
    public void wake() {
        synchronized (this) {
            woken = true;
            if (waiting != null) {
                waiting.interrupt();
            }
        }
    }

    /** Stops campaigning and releases a held lease, so that a standby takes over at once. */
    public void close() {
        LeaseKeeper k = keeper;
        if (k != null) {
            k.close();
            synchronized (this) {
                notifyAll();
            }
        }
    }

    @Override
    public void unreachable(RuntimeException error) {
        context.reportError(error);
    }

    @Override
    public void reachable() {
        context.clearError();
    }

    @Override
    public void lost(JdbcLease.Grant grant, String why) {
        synchronized (this) {
            notifyAll();
        }
        events.lost(why);
    }
}
