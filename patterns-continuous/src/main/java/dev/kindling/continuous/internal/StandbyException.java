package dev.kindling.continuous.internal;

/**
 * A request that only the leader among a pipeline's replicas can serve reached a standby; the HTTP
 * routes answer it with {@code 409} and the leader's id.
 *
 * <pre>{@code
 * throw new StandbyException("orders", "orders-7c9f-2/1");
 * }</pre>
 */
public final class StandbyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String leader;

    public StandbyException(String pipeline, String leader) {
        super("continuous runner '" + pipeline + "' is a standby replica; the leader, which runs the cycles, is " + leader
                + ": ask it, or retry once this replica leads");
        this.leader = leader;
    }

    /** The leader's id as the lease's holder. */
    public String leader() {
        return leader;
    }
}
