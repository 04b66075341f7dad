package dev.kindling.tutorials.httpjson;

import dev.kindling.config.Setting;
import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.Options;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code httpjson:} scheme: a source that reads a JSON array from an HTTP GET, and a sink that POSTs each batch
 * as a JSON array. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.kindling.connect.ConnectorFactory}, so {@code Connectors.builtIn()} knows it.
 *
 * <pre>{@code
 * Source orders = Connectors.builtIn().source("httpjson://127.0.0.1:9000/orders?schema=id BIGINT, amount DOUBLE");
 * Sink totals = Connectors.builtIn().sink("httpjson://127.0.0.1:9000/totals?maxRows=1000");
 * }</pre>
 *
 * <p>Options: {@code schema} (source: a DDL schema; default: inferred from the JSON), {@code maxRows} (sink: the most
 * rows a batch may post, default 10000, 1..1000000), {@code timeout} (both: per HTTP call, default 10s), {@code https}
 * ({@code true}: call https instead of http). Stateless and thread-safe.
 */
// tag::factory[]
public final class HttpJsonFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "httpjson";
    }

    @Override
    public String usage() {
        return "httpjson://host:port/path?schema=DDL&maxRows=N&timeout=10s&https=false";
    }

    @Override
    public Set<String> sourceOptions() {
        return Set.of("schema", "timeout", "https");
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("maxRows", "timeout", "https");
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        return new HttpJsonSource(endpoint(uri, options), options.get("schema", ""), timeout(options));
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        return new HttpJsonSink(endpoint(uri, options), options.integer("maxRows", 10_000, 1, 1_000_000), timeout(options));
    }
    // end::factory[]

    private static URI endpoint(ConnectorUri uri, Options options) {
        if (uri.authority().isEmpty()) {
            throw new ConfigurationException("httpjson needs a host: " + new HttpJsonFactory().usage() + "; got '" + uri.redacted() + "'");
        }
        String path = uri.path().startsWith("/") ? uri.path() : "/" + uri.path();
        return URI.create((options.bool("https", false) ? "https://" : "http://") + uri.authority() + path);
    }

    private static Duration timeout(Options options) {
        String text = options.get("timeout", "10s");
        try {
            return Setting.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("httpjson option timeout must be a duration such as 500ms, 10s or 1m; got '" + text + "'");
        }
    }
}
