package dev.kindling.continuous.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.service.Deadline;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a runner's cycle thread by a shutdown deadline: the current cycle may finish while most of what
 * is left of the deadline lasts, then its Spark jobs are cancelled (nothing is committed) and the
 * thread is given the rest.
 *
 * <pre>{@code
 * CycleJoin.join("orders", cycleThread, body, deadline);   // on the service's stopping thread
 * }</pre>
 */
final class CycleJoin {
    private static final Logger LOG = LoggerFactory.getLogger(CycleJoin.class);
    /** The most of what is left of the shutdown deadline kept for cancelling a cycle and joining its thread. */
    private static final Duration MAX_CANCEL_RESERVE = Duration.ofSeconds(5);

    private CycleJoin() {
    }

    static void join(String name, Thread t, CycleBody body, Deadline deadline) throws InterruptedException {
        Duration left = deadline.remaining();
        Duration reserve = left.dividedBy(4).compareTo(MAX_CANCEL_RESERVE) > 0 ? MAX_CANCEL_RESERVE : left.dividedBy(4);
        if (deadline.atMost(left.minus(reserve)).join(t)) {
            return;
        }
        LOG.warn("continuous runner '{}': the current cycle did not finish in time; cancelling its Spark jobs", name);
        try {
            body.cancel();
        } catch (RuntimeException e) {
            LOG.warn("continuous runner '{}': cancelling the current cycle failed: {}", name, Failures.summary(e));
        }
        if (!deadline.join(t)) {
            LOG.warn("continuous runner '{}': thread {} is still running at the shutdown deadline", name, t.getName());
        }
    }
}
