package dev.kindling.ondemand;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.Processor;
import dev.kindling.ondemand.internal.RowsJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named job the service can run: a typed job ({@code params -> result}), or rows in, rows out
 * (a processor or a pipeline's processors over the request body, or over a configured source).
 *
 * <pre>{@code
 * record PiParams(Long samples, Integer partitions) { }
 * JobDefinition<PiParams, PiResult> pi = JobDefinition.builder("sparkpi", PiParams.class,
 *                 (ctx, p) -> SparkPi.estimate(ctx.spark(), p.samples(), p.partitions()))
 *         .validator(p -> { if (p.samples() < 1) throw new InvalidParamsException("samples", "1..10^10", p.samples()); })
 *         .warmUp(new PiParams(1000L, 2))
 *         .timeout(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 *
 * <p>Params are bound from the JSON body (or, on a convenience GET route, from the query parameters)
 * with Jackson; unknown fields are rejected. The params type's constructor and the validator may throw
 * {@link InvalidParamsException}: the caller gets {@code 400} naming the field and the allowed values.
 * Immutable and thread-safe.
 *
 * @param <P> the params type
 * @param <R> the result type
 */
public final class JobDefinition<P, R> {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final String name;
    private final Class<P> paramsType;
    private final Job<P, R> job;
    private final Validator<P> validator;
    private final P warmUpParams;
    private final Duration timeout;

    private JobDefinition(Builder<P, R> b) {
        this.name = b.name;
        this.paramsType = b.paramsType;
        this.job = b.job;
        this.validator = b.validator;
        this.warmUpParams = b.warmUpParams;
        this.timeout = b.timeout;
    }

    /** Checks bound params; throws {@link InvalidParamsException} for a value that is not allowed. */
    @FunctionalInterface
    public interface Validator<P> {
        void validate(P params);
    }

    /** A builder for a typed job named {@code name} (lower case letters, digits, {@code -} and {@code _}). */
    public static <P, R> Builder<P, R> builder(String name, Class<P> paramsType, Job<P, R> job) {
        return new Builder<>(name, paramsType, job);
    }

    /**
     * Rows in, rows out: the request body (a JSON object or an array of objects) becomes a
     * DataFrame, {@code processor} transforms it, and the first {@code maxRows} result rows are the
     * result ({@code {"rows": [...], "truncated": false}}).
     */
    public static JobDefinition<JsonNode, Map<String, Object>> rows(String name, Processor processor, int maxRows) {
        return builder(name, JsonNode.class, new RowsJob(null, processor, maxRows)).validator(RowsJob::checkBody).build();
    }

    /**
     * A pipeline used as a job: the request body is its source and its processors run over it; the
     * result rows are the response (as in {@link #rows}). The pipeline's own source and sink are not
     * used, so any batch pipeline fits.
     */
    public static JobDefinition<JsonNode, Map<String, Object>> pipeline(String name, Pipeline pipeline, int maxRows) {
        Objects.requireNonNull(pipeline, "pipeline");
        return rows(name, Processor.chain(pipeline.processors()), maxRows);
    }

    /**
     * SQL over data, the zero-code job: reads {@code source} on every request, runs
     * {@code processor} over it and answers with the first {@code maxRows} rows. The request body is
     * ignored (send {@code {}} or nothing).
     */
    public static JobDefinition<JsonNode, Map<String, Object>> query(String name, BatchReadable source, Processor processor,
                                                                       int maxRows) {
        Objects.requireNonNull(source, "source");
        return builder(name, JsonNode.class, new RowsJob(source, processor, maxRows)).build();
    }

    public String name() {
        return name;
    }

    public Class<P> paramsType() {
        return paramsType;
    }

    public Job<P, R> job() {
        return job;
    }

    /** Validates bound params (the no-op validator when none was set). */
    public void validate(P params) {
        validator.validate(params);
    }

    /** Params for the warm-up run before readiness, or null: no warm-up run of this job. */
    public P warmUpParams() {
        return warmUpParams;
    }

    /** This job's default timeout, or null: the service's default. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "JobDefinition[" + name + ", params " + paramsType.getSimpleName() + "]";
    }

    /** Builds a {@link JobDefinition}; setters reject nulls, {@link #build()} checks the name. */
    public static final class Builder<P, R> {
        private final String name;
        private final Class<P> paramsType;
        private final Job<P, R> job;
        private Validator<P> validator = p -> { };
        private P warmUpParams;
        private Duration timeout;

        private Builder(String name, Class<P> paramsType, Job<P, R> job) {
            this.name = Objects.requireNonNull(name, "name");
            this.paramsType = Objects.requireNonNull(paramsType, "paramsType");
            this.job = Objects.requireNonNull(job, "job");
        }

        /** Checks params after binding; default: none. */
        public Builder<P, R> validator(Validator<P> validator) {
            this.validator = Objects.requireNonNull(validator, "validator");
            return this;
        }

        /** Runs the job once with these params before the service reports ready; default: no warm-up run. */
        public Builder<P, R> warmUp(P params) {
            this.warmUpParams = Objects.requireNonNull(params, "params");
            return this;
        }

        /** The job's default timeout (a request may ask for another, up to the service maximum); default: the service's. */
        public Builder<P, R> timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigurationException("job '" + name + "': timeout must be positive; got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public JobDefinition<P, R> build() {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigurationException("job name '" + name + "' is not allowed: use 1 to 63 lower-case letters, digits, "
                        + "'-' and '_', starting with a letter or digit");
            }
            if (warmUpParams != null) {
                validator.validate(warmUpParams);
            }
            return new JobDefinition<>(this);
        }
    }

}
