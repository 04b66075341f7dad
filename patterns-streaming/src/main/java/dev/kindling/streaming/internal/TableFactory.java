package dev.kindling.streaming.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.Options;
import dev.kindling.ipp.Sink;
import dev.kindling.streaming.QueryableTable;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** {@code table:NAME?keys=a,b&maxRows=N}: a {@link QueryableTable}, found by {@link java.util.ServiceLoader}. */
public final class TableFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "table";
    }

    @Override
    public String usage() {
        return "table:name?keys=a,b&maxRows=N  (a queryable table served at GET /tables/name; stream sink only)";
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("keys", "maxRows");
    }

    @Override
    public boolean hasSource() {
        return false;
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        String name = uri.authority().isEmpty() ? uri.path() : uri.authority();
        String keys = options.get("keys", "");
        List<String> keyList = keys.isBlank() ? List.of() : Arrays.stream(keys.split(",")).map(String::trim).toList();
        int maxRows = options.integer("maxRows", QueryableTable.DEFAULT_MAX_ROWS, 1, Integer.MAX_VALUE);
        return new QueryableTable(name, keyList, maxRows);
    }
}
