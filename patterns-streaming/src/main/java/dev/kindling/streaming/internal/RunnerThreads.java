package dev.kindling.streaming.internal;

import dev.kindling.service.ComponentContext;
import dev.kindling.service.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The threads of a running {@code StreamingRunner}, made with {@link ComponentContext#newThread}: the supervisor
 * ({@code kindling-NAME-supervisor}) and, for a Kafka source, the lag poller ({@code kindling-NAME-lag}).
 * {@link #start} is called once by the runner's start, {@link #stop} once by its stop, after the stop was
 * requested on the runner's {@link StopSignal}.
 *
 * <pre>{@code
 * RunnerThreads threads = RunnerThreads.start(context, supervisor, lag, signal, Duration.ofSeconds(5));
 * signal.request();
 * List<String> late = threads.stop(deadline);   // the threads still running at the deadline
 * }</pre>
 */
public final class RunnerThreads {
    private final Thread supervisor;
    private final Thread lagThread;
    private final LagMonitor lag;

    private RunnerThreads(Thread supervisor, Thread lagThread, LagMonitor lag) {
        this.supervisor = supervisor;
        this.lagThread = lagThread;
        this.lag = lag;
    }

    /**
     * Starts the supervisor and, when {@code lag} is not null, the lag poller (every {@code lagInterval} until
     * {@code signal} asks to stop).
     */
    public static RunnerThreads start(ComponentContext context, Runnable supervisor, LagMonitor lag, StopSignal signal,
                                      Duration lagInterval) {
        Thread s = context.newThread("supervisor", supervisor);
        Thread l = lag == null ? null : context.newThread("lag", () -> lag.run(signal, lagInterval));
        s.start();
        if (l != null) {
            l.start();
        }
        return new RunnerThreads(s, l, lag);
    }

    /**
     * Interrupts the lag poller (a poll may be blocked on a broker that is gone; the lag is not needed any more),
     * waits for both threads by {@code deadline} and closes the lag client.
     *
     * @return the threads still running at the deadline, as {@code thread NAME}
     */
    public List<String> stop(Deadline deadline) throws InterruptedException {
        if (lagThread != null) {
            lagThread.interrupt();
        }
        List<String> late = new ArrayList<>();
        for (Thread t : new Thread[] {supervisor, lagThread}) {
            if (t != null && !deadline.join(t)) {
                late.add("thread " + t.getName());
            }
        }
        if (lag != null) {
            lag.close(deadline);
        }
        return late;
    }
}
