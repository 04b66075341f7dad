package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.JdbcSink;
import dev.kindling.connect.JdbcSource;
import dev.kindling.connect.Options;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jdbc:...}: the JDBC URL itself. Query parameters that are Kindling options (table, user,
 * mode, ...) are taken out of the URL; the others stay in it for the driver, and so do options
 * named {@code driver.NAME}.
 */
public final class JdbcFactory implements ConnectorFactory {
    private static final Set<String> COMMON = Set.of("table", "user", "password", "password.env", "password.file");
    private static final Set<String> SOURCE = union(COMMON, Set.of("query", "where", "watermarkColumn", "lookback", "fetchSize",
            "partitionColumn", "lowerBound", "upperBound", "numPartitions"));
    private static final Set<String> SINK = union(COMMON, Set.of("mode", "keys", "batchSize"));

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }

    @Override
    public String scheme() {
        return "jdbc";
    }

    @Override
    public String usage() {
        return "jdbc:postgresql://host:5432/db?table=name  (databases; sink modes append, overwrite, upsert with keys)";
    }

    @Override
    public boolean keepsOtherQueryParameters() {
        return true;
    }

    @Override
    public Set<String> sourceOptions() {
        return union(SOURCE, Set.of("driver.*"));
    }

    @Override
    public Set<String> sinkOptions() {
        return union(SINK, Set.of("driver.*"));
    }

    private static JdbcEndpoint endpoint(ConnectorUri uri, Options options) {
        return JdbcEndpoint.of(uri, options, union(SOURCE, SINK));
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        Map<String, String> spark = new HashMap<>();
        options.get("fetchSize").ifPresent(v -> spark.put("fetchsize", Integer.toString(options.integer("fetchSize", 1000, 1, 1_000_000))));
        for (String k : List.of("partitionColumn", "lowerBound", "upperBound", "numPartitions")) {
            options.get(k).ifPresent(v -> spark.put(k, v));
        }
        return new JdbcSource(endpoint(uri, options), options.get("table").orElse(null), options.get("query").orElse(null),
                options.get("where").orElse(null), options.get("watermarkColumn").orElse(null), options.get("lookback").orElse(null),
                spark);
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        List<String> keys = options.get("keys")
                .map(k -> Arrays.stream(k.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        return new JdbcSink(endpoint(uri, options), options.require("table", "the JDBC sink " + uri.redacted()),
                options.oneOf("mode", "append", JdbcSink.MODES), keys, options.integer("batchSize", 1000, 1, 100_000));
    }
}
