package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.ConsoleSink;
import dev.kindling.connect.Options;
import dev.kindling.ipp.Sink;
import java.util.Set;

/** {@code console:?rows=20}. */
public final class ConsoleFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "console";
    }

    @Override
    public String usage() {
        return "console:?rows=20  (logs at most rows rows of each batch)";
    }

    @Override
    public boolean hasSource() {
        return false;
    }

    @Override
    public Set<String> sinkOptions() {
        return Set.of("rows");
    }

    @Override
    public Sink createSink(ConnectorUri uri, Options options) {
        return new ConsoleSink(options.integer("rows", 20, 1, 10_000));
    }
}
