package dev.kindling.service;

/**
 * The lifecycle states every {@link Component} goes through, the same for all patterns. The service
 * moves a component to {@link #STARTING}, {@link #RUNNING}, {@link #STOPPING} and {@link #STOPPED};
 * the component itself moves to {@link #PAUSED}, {@link #RECOVERING}, {@link #COMPLETED} or
 * {@link #FAILED} through its {@link ComponentContext}.
 *
 * <pre>{@code
 * context.moveTo(ComponentState.RECOVERING);   // a query failed; restarting after the backoff
 * }</pre>
 */
public enum ComponentState {
    /** Built, not started. */
    NEW,
    /** {@code start} is running. */
    STARTING,
    /** Doing its work. */
    RUNNING,
    /** Alive but holding back its scheduled work on purpose (a paused continuous runner). */
    PAUSED,
    /** Backing off after a failure before it tries again; not ready. */
    RECOVERING,
    /** Its work is done and it stopped by itself (an available-now stream); ready. */
    COMPLETED,
    /** {@code stop} is running. */
    STOPPING,
    /** Stopped. */
    STOPPED,
    /** Stopped by a failure it cannot recover from: a configuration error, a thread that died, too many failures. */
    FAILED;

    /** Whether the component may count as ready in this state (its own readiness check still applies). */
    public boolean canBeReady() {
        return this == RUNNING || this == PAUSED || this == COMPLETED;
    }

    /** Whether no further transition happens on its own. */
    public boolean isFinal() {
        return this == STOPPED || this == FAILED;
    }
}
