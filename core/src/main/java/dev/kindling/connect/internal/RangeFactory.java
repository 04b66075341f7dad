package dev.kindling.connect.internal;

import dev.kindling.connect.ConnectorFactory;
import dev.kindling.connect.ConnectorUri;
import dev.kindling.connect.Options;
import dev.kindling.connect.RangeSource;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Source;
import java.util.Set;

/** {@code range:N} or {@code range:A..B}. */
public final class RangeFactory implements ConnectorFactory {
    @Override
    public String scheme() {
        return "range";
    }

    @Override
    public String usage() {
        return "range:N or range:A..B  (generated ids; options partitions, rowsPerSecond)";
    }

    @Override
    public boolean hasSink() {
        return false;
    }

    @Override
    public Set<String> sourceOptions() {
        return Set.of("partitions", "rowsPerSecond");
    }

    @Override
    public Source createSource(ConnectorUri uri, Options options) {
        String spec = uri.path();
        long start;
        long end;
        try {
            int dots = spec.indexOf("..");
            if (dots >= 0) {
                start = Long.parseLong(spec.substring(0, dots).trim());
                end = Long.parseLong(spec.substring(dots + 2).trim());
            } else {
                start = 0;
                end = Long.parseLong(spec.trim());
            }
        } catch (NumberFormatException e) {
            throw new ConfigurationException("'" + uri.redacted() + "' is not a range; write range:N (0 to N-1) or range:A..B (A to B-1)");
        }
        return new RangeSource(start, end, options.integer("partitions", 0, 0, 100_000),
                options.longValue("rowsPerSecond", 1, 1, 100_000_000));
    }
}
