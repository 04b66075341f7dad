package dev.kindling.ipp;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The incremental-read capability: the source can tell its newest {@link Watermark} and read only
 * the rows in a watermark range. A continuous-batch cycle fixes the upper bound when it starts, so
 * rows that arrive during the cycle are taken by the next one:
 *
 * <pre>{@code
 * Optional<Watermark> upTo = source.latestWatermark(spark);      // cheap: no Spark job
 * if (upTo.isPresent() && (last == null || upTo.get().compareTo(last) > 0)) {
 *     Dataset<Row> fresh = source.readIncrement(spark, last, upTo.get());
 * }
 * }</pre>
 */
public interface IncrementalReadable extends Source {
    /** The column the watermark is taken from (a monotonically growing id or timestamp). */
    String watermarkColumn();

    /**
     * The newest watermark in the source now, or empty when it holds no rows. Implementations should
     * answer without launching a Spark job, so that an idle cycle costs almost nothing.
     */
    Optional<Watermark> latestWatermark(SparkSession spark);

    /**
     * The rows with {@code after < watermarkColumn <= upTo}; {@code after == null} means from the
     * beginning. The range must be part of what the source pushes down (for JDBC, the SQL sent to the database).
     */
    Dataset<Row> readIncrement(SparkSession spark, Watermark after, Watermark upTo);

    /**
     * The margin below {@code after} that each increment reads again, as configured (a whole number of ids, or a
     * duration such as {@code 5m}), for sources whose rows become visible out of order; empty (the default) when the
     * range is exactly {@code after < column <= upTo}. Rows read again reach the sink twice, so a runner takes such a
     * source only with a sink that {@linkplain Sink#upsertsByKey() upserts by key}.
     */
    default Optional<String> lookback() {
        return Optional.empty();
    }
}
