package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.MemoryTable;
import dev.kindling.connect.Options;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.Source;
import java.util.List;
import java.util.Set;

/** {@code memory:name}. */
public final class MemoryFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "memory";
    }

    @Override
    public String usage() {
        return "memory:name  (an in-process table; sink option mode=append|overwrite)";
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("mode");
    }

    private static String table(ConnectorUri uri) {
        return uri.authority().isEmpty() ? uri.path() : uri.authority();
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        return new MemoryTable(table(uri), false);
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        return new MemoryTable(table(uri), options.oneOf("mode", "append", List.of("append", "overwrite")).equals("overwrite"));
    }
}
