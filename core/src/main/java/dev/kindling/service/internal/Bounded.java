package dev.kindling.service.internal;

import dev.kindling.ipp.Failures;
import dev.kindling.service.Deadline;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step of a shutdown on a thread of its own and waits for it at most until a deadline,
 * so that a step blocked on a dependency that is gone cannot hold the whole shutdown.
 */
public final class Bounded {
    private static final Logger LOG = LoggerFactory.getLogger(Bounded.class);
    /** Even past the deadline a step gets this long: enough for a quick close, not for a hang. */
    static final Duration FLOOR = Duration.ofMillis(500);

    private Bounded() {
    }

    /** A step that may throw. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step}; returns whether it ended in time (a step that threw ended: its error is logged).
     * A step still running after the deadline is logged with its stack and abandoned.
     */
    public static boolean run(String what, Step step, Deadline deadline) {
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (Exception e) {
                LOG.error("shutdown: {} failed: {}", what, Failures.summary(e), e);
            }
        }, "kindling-stop-" + what.replace(' ', '-'));
        t.setDaemon(true);
        t.start();
        try {
            Deadline wait = deadline.expired() ? Deadline.after(FLOOR) : deadline;
            if (wait.join(t)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("shutdown: {} is still running at the deadline ({}); abandoning it. It was at:\n  {}", what, deadline.total(),
                Arrays.stream(t.getStackTrace()).limit(12).map(StackTraceElement::toString).collect(Collectors.joining("\n  ")));
        return false;
    }
}
