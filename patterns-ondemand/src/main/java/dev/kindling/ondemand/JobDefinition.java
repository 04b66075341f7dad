package dev.kindling.ondemand;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.WriteResult;
import dev.kindling.ondemand.internal.PipelineJob;
import dev.kindling.ondemand.internal.RowsJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named job a {@link JobService} can run: a typed job ({@code params -> result}); rows in, rows out
 * (a processor over the request body, or over a configured source); or a whole batch pipeline.
 *
 * <pre>{@code
 * record PiParams(Long samples, Integer partitions) { }
 * JobDefinition<PiParams, Double> pi = JobDefinition.builder("sparkpi", PiParams.class,
 *                 (ctx, p) -> 4.0 * ctx.spark().range(p.samples()).where("rand() * rand() + rand() * rand() <= 1").count() / p.samples())
 *         .validator(p -> { if (p.samples() < 1) throw new InvalidParamsException("samples", "1..10^10", p.samples()); })
 *         .warmUp(new PiParams(1000L, 2))
 *         .timeout(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 *
 * <p>Params are bound from the JSON body (or, on a sync GET route of a read-only job, from the query parameters)
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
    private final List<Dependency> dependencies;
    private final boolean readOnly;

    private JobDefinition(Builder<P, R> b) {
        this.name = b.name;
        this.paramsType = b.paramsType;
        this.job = b.job;
        this.validator = b.validator;
        this.warmUpParams = b.warmUpParams;
        this.timeout = b.timeout;
        this.dependencies = List.copyOf(b.dependencies);
        this.readOnly = b.readOnly;
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
     * A whole batch pipeline as a job: each run reads its source, decodes and processes the rows and
     * writes them to its sink ({@link Pipeline#runBatch}); the result is the sink's {@link WriteResult}
     * ({@code {"batchId": ..., "rowsWritten": ..., "deadLetters": ...}}). The request body is ignored.
     * Each run gets a batch id larger than the last one's: the run's start in epoch milliseconds (or
     * the last id + 1), so ids keep increasing across restarts too and an idempotent sink can use them.
     *
     * <pre>{@code
     * jobs.job(JobDefinition.pipeline("evens", EvensApp.pipeline(1000, "file:/out/evens?format=json")));
     * // POST /jobs/evens?wait=30s -> {"result": {"batchId": 1764067200000, "rowsWritten": 1, "deadLetters": 0}, ...}
     * }</pre>
     *
     * @throws ConfigurationException when the pipeline is not a {@link PipelineKind#BATCH} one
     */
    public static JobDefinition<JsonNode, WriteResult> pipeline(String name, Pipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        if (pipeline.kind() != PipelineKind.BATCH) {
            throw new ConfigurationException("job '" + name + "': pipeline '" + pipeline.name() + "' is a " + pipeline.kind()
                    + " pipeline; an on-demand job runs a BATCH one");
        }
        return builder(name, JsonNode.class, new PipelineJob(pipeline)).dependsOn(pipeline.dependencies()).build();
    }

    /**
     * SQL over data, the zero-code job: reads {@code source} on every request, runs
     * {@code processor} over it and answers with the first {@code maxRows} rows. The request body is
     * ignored (send {@code {}} or nothing). {@linkplain Builder#readOnly() Read-only}: it may answer a
     * sync {@code GET} route.
     */
    public static JobDefinition<JsonNode, Map<String, Object>> query(String name, BatchReadable source, Processor processor,
                                                                       int maxRows) {
        Objects.requireNonNull(source, "source");
        return builder(name, JsonNode.class, new RowsJob(source, processor, maxRows)).dependsOn(Dependency.of(List.of(source))).readOnly().build();
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

    /** Whether the job only reads and computes, so that a sync {@code GET} route may run it; see {@link Builder#readOnly()}. */
    public boolean readOnly() {
        return readOnly;
    }

    /** The remote systems the job needs: its source's or pipeline's, and those given to {@link Builder#dependsOn}. */
    public List<Dependency> dependencies() {
        return dependencies;
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
        private final List<Dependency> dependencies = new ArrayList<>();
        private boolean readOnly;

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

        /**
         * Runs the job once with these params before the service reports ready, through the service's own
         * HTTP API (a loopback request), so the first user request finds the code paths warm; default: no
         * warm-up run of this job.
         */
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

        /**
         * Declares that the job changes nothing outside the service: it reads and computes, and its result is its
         * only effect. Only such a job may answer a sync {@code GET} route ({@link JobService.Builder#syncRoute}),
         * since a GET must be safe to repeat, prefetch and retry. Default: not read-only (reachable by
         * {@code POST /jobs/NAME} only).
         */
        public Builder<P, R> readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Remote systems the job needs (a database it reads, say): the service's {@code /readyz} checks each one and
         * turns 503, naming it, while it does not answer. Adds to what was given before; default: none.
         */
        public Builder<P, R> dependsOn(Dependency... dependencies) {
            return dependsOn(List.of(dependencies));
        }

        /** {@link #dependsOn(Dependency...)} for a list. */
        public Builder<P, R> dependsOn(List<Dependency> dependencies) {
            dependencies.forEach(d -> this.dependencies.add(Objects.requireNonNull(d, "dependency")));
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
