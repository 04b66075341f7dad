package dev.kindling.streaming.internal;

import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The runner's ears on the SparkSession: each progress of its main query (matched by name) goes to
 * {@link StreamingMetrics} and {@link LagMonitor} and counts as a sign of health; the end of any
 * query wakes the supervisor, which checks whether it was one of its own. Called on Spark's listener
 * thread; registered while the runner runs.
 */
public final class ProgressListener extends StreamingQueryListener {
    private final String queryName;
    private final StreamingMetrics metrics;
    private final LagMonitor lag;
    private final StopSignal signal;
    private final Runnable healthy;

    /**
     * @param lag     null when the source is not Kafka
     * @param healthy called after each progress of the main query (the runner clears its last error)
     */
    public ProgressListener(String queryName, StreamingMetrics metrics, LagMonitor lag, StopSignal signal, Runnable healthy) {
        this.queryName = queryName;
        this.metrics = metrics;
        this.lag = lag;
        this.signal = signal;
        this.healthy = healthy;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
        // nothing: the runner knows it started its queries
    }

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress p = event.progress();
        if (!queryName.equals(p.name())) {
            return;
        }
        metrics.record(p);
        if (lag != null) {
            for (SourceProgress s : p.sources()) {
                lag.processed(s.endOffset());
            }
        }
        healthy.run();
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
        signal.wake();
    }
}
