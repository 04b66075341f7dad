package dev.kindling.continuous;

import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.WriteResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Small real helpers for the tests: an HTTP client, a job counter, a sink that can be told to fail. */
final class Fixtures {
    private Fixtures() {
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
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
}
