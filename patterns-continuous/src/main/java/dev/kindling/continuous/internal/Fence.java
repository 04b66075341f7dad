package dev.kindling.continuous.internal;

import dev.kindling.connect.JdbcLease;
import dev.kindling.connect.LeaseKeeper;
import dev.kindling.continuous.CommittedBatch;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.continuous.WatermarkStore;

/**
 * The lease grant a cycle runs under, or {@link #NONE} for a runner without replicas. A cycle looks at
 * {@link #requireHeld} between its steps and commits through {@link #commit}, which the store refuses
 * once another replica holds the lease.
 *
 * <pre>{@code
 * fence.requireHeld("reading batch 4");    // throws LeaseLostException once the keeper has lost the grant
 * fence.commit(store, pending);            // fenced in the store's transaction
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Fence {
    /** No lease: one replica, plain commits. */
    public static final Fence NONE = new Fence(null, null, null);

    private final JdbcLease lease;
    private final JdbcLease.Grant grant;
    private final LeaseKeeper keeper;

    Fence(JdbcLease lease, JdbcLease.Grant grant, LeaseKeeper keeper) {
        this.lease = lease;
        this.grant = grant;
        this.keeper = keeper;
    }

    /** The grant's fencing token; 0 for {@link #NONE}. */
    public long token() {
        return grant == null ? 0 : grant.token();
    }

    /** Whether this replica no longer holds the grant (never for {@link #NONE}). */
    public boolean lost() {
        return keeper != null && keeper.grant().map(g -> g.token() != grant.token()).orElse(true);
    }

    /**
     * Throws when the grant is lost, so that a cycle gives up before its next step.
     *
     * @throws JdbcLease.LeaseLostException naming the step that will not be done
     */
    public void requireHeld(String step) {
        if (lost()) {
            throw new JdbcLease.LeaseLostException("this replica (" + grant.holder() + ", token " + grant.token() + ") lost the lease '"
                    + lease.name() + "'; giving up before " + step);
        }
    }

    /** Commits {@code pending} to {@code store}, fenced by the grant when there is one. */
    public void commit(WatermarkStore store, CommittedBatch pending) {
        if (lease == null) {
            store.commit(pending);
        } else {
            ((JdbcWatermarkStore) store).commit(pending, lease, grant);
        }
    }

    @Override
    public String toString() {
        return lease == null ? "Fence[none]" : "Fence[" + lease.name() + " token " + grant.token() + "]";
    }
}
