package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobStatus;
import io.javalin.http.sse.SseClient;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The Server-Sent Events of {@code GET /jobs/{id}/events}, on Javalin's {@link SseClient}: the job's
 * {@code state} now, then each {@code state} and {@code progress} change, then one final
 * {@code result}, {@code error} or {@code cancelled} event with the job, and the stream closes.
 *
 * <p><b>Threads.</b> No request thread is held while a stream is open ({@link SseClient#keepAlive()}).
 * A job's changes are queued per stream and written, in order, by a pool of push threads, so neither
 * the job's threads nor its record's lock ever wait for a slow client. A comment every 15 seconds (queued
 * like the events, so writes never interleave) keeps
 * idle connections open and finds clients that went away (their subscription is then dropped).
 */
public final class EventStreams {
    private static final long KEEP_ALIVE_SECONDS = 15;
    private static final JobRecord.Event PING = new JobRecord.Event("keep-alive", null);

    private final ExecutorService pushers;
    private final ScheduledExecutorService timer;

    public EventStreams(ExecutorService pushers, ScheduledExecutorService timer) {
        this.pushers = pushers;
        this.timer = timer;
    }

    /** Stops the push threads (the HTTP server has closed the streams by then). */
    public void close() {
        pushers.shutdownNow();
    }

    /** Streams the events of {@code record} to {@code client}; returns at once. */
    public void open(SseClient client, JobRecord record) {
        client.keepAlive();
        Stream stream = new Stream(client, record);
        JobStatus now = record.subscribe(stream);
        stream.accept(new JobRecord.Event("state", now));
        if (now.state().isFinal()) {
            stream.accept(new JobRecord.Event(JobListeners.finalEvent(now.state()), now));
            return;
        }
        stream.keepAlive = timer.scheduleWithFixedDelay(stream::ping, KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
    }

    /** One open stream: its queue of events, drained by at most one push thread at a time. */
    private final class Stream implements Consumer<JobRecord.Event> {
        private final SseClient client;
        private final JobRecord record;
        private final ConcurrentLinkedQueue<JobRecord.Event> events = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();
        private volatile ScheduledFuture<?> keepAlive;
        private volatile boolean ended;

        Stream(SseClient client, JobRecord record) {
            this.client = client;
            this.record = record;
        }

        @Override
        public void accept(JobRecord.Event e) {
            events.add(e);
            if (draining.compareAndSet(false, true)) {
                pushers.execute(this::drain);
            }
        }

        private void drain() {
            while (true) {
                JobRecord.Event e;
                while ((e = events.poll()) != null) {
                    send(e);
                }
                draining.set(false);
                if (events.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
            }
        }

        private void send(JobRecord.Event e) {
            if (ended) {
                return;
            }
            if (client.terminated()) {
                end();
                return;
            }
            if (e == PING) {
                client.sendComment("keep-alive");
                return;
            }
            client.sendEvent(e.type(), e.type().equals("progress") ? e.status().progress() : e.status());
            if (!e.type().equals("state") && !e.type().equals("progress")) {
                end();
            }
        }

        /** A comment, through the queue so that it is never written in the middle of an event. */
        private void ping() {
            accept(PING);
        }

        private void end() {
            ended = true;
            record.unsubscribe(this);
            ScheduledFuture<?> k = keepAlive;
            if (k != null) {
                k.cancel(false);
            }
            client.close();
        }
    }
}
