package dev.kindling.streaming.internal;

import java.time.Duration;

/**
 * The runner's stop request and the one monitor its threads wait on: the supervisor (for a query to
 * end, for the backoff to pass) and the lag poller (for its interval). {@link #wake()} (a query ended,
 * a batch finished) and {@link #request()} (stop) end every wait at once. Thread-safe.
 */
public final class StopSignal {
    private boolean requested;

    /** Asks every waiting thread to stop; returns whether this call was the first. */
    public synchronized boolean request() {
        boolean first = !requested;
        requested = true;
        notifyAll();
        return first;
    }

    public synchronized boolean isRequested() {
        return requested;
    }

    /** Ends the current waits without a stop request (the waiters check their condition again). */
    public synchronized void wake() {
        notifyAll();
    }

    /**
     * Waits up to {@code timeout}, or until {@link #wake()} or {@link #request()}; returns whether a stop
     * was requested.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public synchronized boolean await(Duration timeout) throws InterruptedException {
        long ms = Math.max(1, timeout.toMillis());
        if (!requested) {
            wait(ms);
        }
        return requested;
    }

    /** Waits the whole of {@code duration} unless a stop is requested first; returns whether it was. */
    public synchronized boolean sleep(Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); !requested && left > 0; left = end - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
        return requested;
    }
}
