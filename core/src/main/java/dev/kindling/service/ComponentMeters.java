package dev.kindling.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * The one naming scheme for a component's meters: {@code kindling_<pattern>_<what>} in Prometheus,
 * tagged {@code service} (the service's name) and {@code pipeline} (the component's name unless
 * {@link #forPipeline} says otherwise). The same meter asked for twice is the same meter.
 *
 * <pre>{@code
 * ComponentMeters m = context.meters();                         // pattern "continuous", pipeline "modeler"
 * m.counter("cycles", "cycles run, by outcome", "outcome", "published").increment();
 * // -> kindling_continuous_cycles_total{service="recommender",pipeline="modeler",outcome="published"}
 * m.forPipeline("ranks").timer("jobs.duration", "run time of finished jobs");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ComponentMeters {
    private static final Pattern PATTERN = Pattern.compile("[a-z]+");
    private static final Pattern WHAT = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*");

    private final MeterRegistry registry;
    private final String pattern;
    private final String pipeline;

    /** Meters of {@code pattern} for {@code pipeline} in {@code registry} (whose common tags carry {@code service}). */
    public ComponentMeters(MeterRegistry registry, String pattern, String pipeline) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        if (!PATTERN.matcher(pattern).matches()) {
            throw new IllegalArgumentException("a pattern name is lower-case letters only, as in 'ondemand'; got '" + pattern + "'");
        }
    }

    /** The same meters for another {@code pipeline} tag value (an on-demand job's name, say). */
    public ComponentMeters forPipeline(String pipeline) {
        return new ComponentMeters(registry, pattern, pipeline);
    }

    /** The registry, for binders that name their own meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Micrometer name of {@code what}: {@code kindling.<pattern>.<what>}. */
    public String name(String what) {
        if (!WHAT.matcher(what).matches()) {
            throw new IllegalArgumentException("a meter name is dot-separated lower-case words, as in 'jobs.submitted'; got '" + what + "'");
        }
        return "kindling." + pattern + "." + what;
    }

    /** A counter; {@code tags} are extra key-value pairs. */
    public Counter counter(String what, String description, String... tags) {
        return Counter.builder(name(what)).description(description).tags(tags(tags)).register(registry);
    }

    /** A timer with a percentile histogram (for Prometheus' {@code histogram_quantile}). */
    public Timer timer(String what, String description, String... tags) {
        return Timer.builder(name(what)).description(description).tags(tags(tags)).publishPercentileHistogram().register(registry);
    }

    /** A gauge that reads {@code value} from {@code object} at each scrape. */
    public <T> Gauge gauge(String what, String description, T object, ToDoubleFunction<T> value, String... tags) {
        return Gauge.builder(name(what), object, value).description(description).tags(tags(tags)).register(registry);
    }

    private Tags tags(String... extra) {
        return Tags.of("pipeline", pipeline).and(extra);
    }
}
