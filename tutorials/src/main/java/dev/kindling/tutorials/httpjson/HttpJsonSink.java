package dev.kindling.tutorials.httpjson;

import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.WriteResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * POSTs each batch as one JSON array of objects (one per row) to an HTTP endpoint, with the batch id in the header
 * {@code Kindling-Batch-Id}: a webhook, another service's import API.
 *
 * <pre>{@code
 * WriteResult r = new HttpJsonSink(URI.create("http://127.0.0.1:9000/totals"), 1000, Duration.ofSeconds(10)).write(totals, 7);
 * // POST /totals, Kindling-Batch-Id: 7, body [{"customer":"ada","total":12.5},...]; r.rowsWritten() is the row count
 * }</pre>
 *
 * <p>Delivery: {@link DeliveryGuarantee#AT_LEAST_ONCE}; a batch that is sent again after a failure carries the same
 * batch id, so a receiver that keeps the last id it took makes it exactly once. The rows are collected on the driver:
 * a batch of more than {@code maxRows} rows fails before anything is sent. A 5xx answer or no answer is a
 * {@link TransientException}; a 4xx answer is an {@link IllegalStateException} (sending it again will not help).
 * Immutable and thread-safe.
 */
public final class HttpJsonSink implements BatchWritable {
    /** The header that carries the batch id. */
    public static final String BATCH_HEADER = "Kindling-Batch-Id";

    private final URI endpoint;
    private final int maxRows;
    private final Duration timeout;

    public HttpJsonSink(URI endpoint, int maxRows, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.maxRows = maxRows;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
    }

    @Override
    public String name() {
        return "httpjson:" + endpoint;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.AT_LEAST_ONCE;
    }

    // tag::write[]
    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        List<String> rows = data.toJSON().limit(maxRows + 1).collectAsList();
        if (rows.size() > maxRows) {
            throw new IllegalStateException(name() + ": batch " + batchId + " has more than maxRows=" + maxRows
                    + " rows; raise maxRows or send smaller batches");
        }
        post("[" + String.join(",", rows) + "]", batchId);
        return new WriteResult(batchId, rows.size());
    }
    // end::write[]

    private void post(String body, long batchId) {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json").header(BATCH_HEADER, Long.toString(batchId))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        int status;
        try {
            status = client(timeout).send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new TransientException(name() + ": batch " + batchId + " was not sent: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException(name() + ": interrupted while sending batch " + batchId, e);
        }
        if (status >= 500) {
            throw new TransientException(name() + " answered " + status + " to batch " + batchId);
        }
        if (status / 100 != 2) {
            throw new IllegalStateException(name() + " refused batch " + batchId + " with " + status);
        }
    }

    static HttpClient client(Duration timeout) {
        return HttpClient.newBuilder().connectTimeout(timeout).build();
    }
}
