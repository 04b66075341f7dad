package dev.kindling.continuous;

import dev.kindling.config.Settings;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.Watermark;
import dev.kindling.ipp.WriteResult;
import dev.kindling.service.Component;
import dev.kindling.service.KindlingService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Small real helpers for the tests: a service around a runner, a job counter, a sink that can be told to fail, a counting source. */
final class Fixtures {
    private Fixtures() {
    }

    /** A started service on a free port of 127.0.0.1 with {@code component}, on the shared session; {@code extra} are more settings as key, value. */
    static KindlingService serve(SparkSession spark, Component component, String... extra) {
        Map<String, String> s = new HashMap<>(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.shutdown.grace", "30s"));
        for (int i = 0; i < extra.length; i += 2) {
            s.put(extra[i], extra[i + 1]);
        }
        return KindlingService.builder("test").settings(Settings.of(s)).spark(spark).component(component).start();
    }

    /** Counts Spark jobs started in the session. */
    static final class JobCounter extends SparkListener {
        final AtomicInteger jobs = new AtomicInteger();

        @Override
        public void onJobStart(SparkListenerJobStart jobStart) {
            jobs.incrementAndGet();
        }

        /** The count once every event posted so far was delivered. */
        int settled(SparkSession spark) {
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("Spark's listener bus did not drain in 30 s", e);
            }
            return jobs.get();
        }
    }

    /** Delegates to a real sink, or fails with a transient error while {@link #failing} is set. */
    static final class SwitchableSink implements BatchWritable {
        final BatchWritable delegate;
        final AtomicBoolean failing = new AtomicBoolean();

        SwitchableSink(BatchWritable delegate) {
            this.delegate = delegate;
        }

        @Override
        public WriteResult write(Dataset<Row> data, long batchId) {
            if (failing.get()) {
                throw new TransientException("the test switched the sink off", null);
            }
            return delegate.write(data, batchId);
        }

        @Override
        public String name() {
            return "switchable(" + delegate.name() + ")";
        }

        @Override
        public DeliveryGuarantee guarantee() {
            return delegate.guarantee();
        }
    }

    /** An incremental source of the ids 1..{@link #rows} (column {@code id}); its newest watermark is asked without a Spark job. */
    static final class CountingSource implements IncrementalReadable {
        final AtomicLong rows;

        CountingSource(long rows) {
            this.rows = new AtomicLong(rows);
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public String watermarkColumn() {
            return "id";
        }

        @Override
        public Optional<Watermark> latestWatermark(SparkSession spark) {
            long n = rows.get();
            return n == 0 ? Optional.empty() : Optional.of(Watermark.ofLong(n));
        }

        @Override
        public Dataset<Row> readIncrement(SparkSession spark, Watermark after, Watermark upTo) {
            long from = after == null ? 1 : Long.parseLong(after.value()) + 1;
            return spark.range(from, Long.parseLong(upTo.value()) + 1).toDF();
        }
    }

    /** Records what happens in cycles, in order: "read N", "published N", "IDLE", "FAILED: message". */
    static final class Journal implements CycleListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void beforeRead(long batchId) {
            events.add("read " + batchId);
        }

        @Override
        public void afterCycle(CycleReport report) {
            events.add(report.outcome() == CycleOutcome.PUBLISHED ? "published " + report.batchId()
                    : report.outcome() + (report.error() == null ? "" : ": " + report.error()));
        }
    }
}
