package dev.kindling.tutorials.httpjson;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.TransientException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads the JSON array an HTTP GET answers as rows, one per element: a small reference table, a list of orders from
 * another service's API. The call is made on the driver when {@link #read} runs, so it suits answers of up to some
 * megabytes.
 *
 * <pre>{@code
 * Dataset<Row> orders = new HttpJsonSource(URI.create("http://127.0.0.1:9000/orders"), "id BIGINT, amount DOUBLE",
 *         Duration.ofSeconds(10)).read(spark);
 * }</pre>
 *
 * <p>An answer other than 2xx, or no answer, is a {@link TransientException} (a runner retries); an answer that is
 * not a JSON array is a {@link ConfigurationException}. Immutable and thread-safe.
 */
public final class HttpJsonSource implements BatchReadable {
    private final URI endpoint;
    private final String schema;
    private final Duration timeout;

    /**
     * @param endpoint the URL to GET
     * @param schema   a DDL schema, or empty to infer it from the JSON
     * @param timeout  the most one call may take
     */
    public HttpJsonSource(URI endpoint, String schema, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String name() {
        return "httpjson:" + endpoint;
    }

    // tag::read[]
    @Override
    public Dataset<Row> read(SparkSession spark) {
        String body = get();
        if (!body.stripLeading().startsWith("[")) {
            throw new ConfigurationException(name() + " must answer a JSON array; it answered '"
                    + body.substring(0, Math.min(60, body.length())) + "'");
        }
        DataFrameReader reader = spark.read();
        if (!schema.isEmpty()) {
            reader = reader.schema(schema);
        }
        return reader.json(spark.createDataset(List.of(body), Encoders.STRING()));
    }
    // end::read[]

    private String get() {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = HttpJsonSink.client(timeout).send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new TransientException(name() + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new TransientException(name() + " cannot be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientException(name() + ": interrupted", e);
        }
    }
}
