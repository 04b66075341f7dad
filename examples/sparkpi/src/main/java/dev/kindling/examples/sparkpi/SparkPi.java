package dev.kindling.examples.sparkpi;

import dev.kindling.ondemand.InvalidParamsException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.api.java.function.ReduceFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * The Monte Carlo estimate of Pi: throw {@code samples} random points into the unit square, count those
 * inside the quarter circle; Pi is about four times that fraction.
 *
 * <pre>{@code
 * SparkPi.Result r = SparkPi.estimate(spark, 1_000_000, 2, null);   // r.pi() is 3.14..., r.seed() the seed drawn
 * SparkPi.Result again = SparkPi.estimate(spark, 1_000_000, 2, r.seed());   // the same estimate
 * }</pre>
 *
 * <p>A call without a seed draws a new one, so estimates differ from call to call (the standard error
 * is about {@code 1.64 / sqrt(samples)}); the same samples, partitions and seed give the same estimate.
 */
public final class SparkPi {
    private SparkPi() {
    }

    /** The params of the job: null fields take the defaults (100000 samples, 2 partitions, a new seed). */
    public record Params(Long samples, Integer partitions, Long seed) {
        public static final long DEFAULT_SAMPLES = 100_000L;
        public static final int DEFAULT_PARTITIONS = 2;

        public Params {
            samples = samples == null ? DEFAULT_SAMPLES : samples;
            partitions = partitions == null ? DEFAULT_PARTITIONS : partitions;
        }

        /** Throws {@link InvalidParamsException} naming the field outside {@code 1..maxSamples} or {@code 1..maxPartitions}. */
        public void check(long maxSamples, int maxPartitions) {
            if (samples < 1 || samples > maxSamples) {
                throw new InvalidParamsException("samples", "1.." + maxSamples, samples);
            }
            if (partitions < 1 || partitions > maxPartitions) {
                throw new InvalidParamsException("partitions", "1.." + maxPartitions, partitions);
            }
        }
    }

    /** The answer: the estimate, what it was computed from (the seed too, to reproduce it), and how long the Spark work took. */
    public record Result(double pi, long samples, int partitions, long seed, long durationMs) {
    }

    /**
     * Estimates Pi with {@code samples} points in {@code partitions} Spark tasks. Each task draws its
     * share of the points from its own {@link SplittableRandom} (seeded from {@code seed} and the task's
     * index) and counts those inside; the driver sums the counts. The seed travels in the task closure,
     * not in generated code, so repeated requests reuse Spark's compiled plan. A cancelled task stops
     * within about a million points.
     *
     * @param seed the seed, or null for a new one from 0 to 2^53 (the result says which)
     */
    public static Result estimate(SparkSession spark, long samples, int partitions, Long seed) {
        long t0 = System.nanoTime();
        long base = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 53); // exact in JSON numbers everywhere
        long perTask = samples / partitions;
        long remainder = samples % partitions;
        MapPartitionsFunction<Long, Long> throwPoints = tasks -> {
            long inside = 0;
            TaskContext task = TaskContext.get();
            while (tasks.hasNext()) {
                long index = tasks.next();
                long n = perTask + (index < remainder ? 1 : 0);
                SplittableRandom random = new SplittableRandom(base ^ (index * 0x9E3779B97F4A7C15L));
                for (long i = 0; i < n; i++) {
                    if ((i & 0xFFFFF) == 0 && task != null && task.isInterrupted()) {
                        throw new TaskKilledException("SparkPi task cancelled");
                    }
                    double x = random.nextDouble();
                    double y = random.nextDouble();
                    if (x * x + y * y <= 1.0) {
                        inside++;
                    }
                }
            }
            return List.of(inside).iterator();
        };
        // tag::estimate[]
        long inside = spark.range(0, partitions, 1, partitions)
                .mapPartitions(throwPoints, Encoders.LONG())
                .reduce((ReduceFunction<Long>) Long::sum);
        // end::estimate[]
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Result(4.0 * inside / samples, samples, partitions, base, ms);
    }
}
