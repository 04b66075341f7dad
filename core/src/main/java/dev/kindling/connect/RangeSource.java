package dev.kindling.connect;

import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.StreamReadable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generated numbers for demos and benchmarks: a column {@code id} (long) from {@code start}
 * (inclusive) to {@code end} (exclusive). As a stream it emits {@code rowsPerSecond} rows a second
 * with columns {@code id} and {@code timestamp} (Spark's rate source).
 *
 * <pre>{@code
 * Source numbers = Connectors.builtIn().source("range:0..1000?partitions=4");   // or new RangeSource(0, 1000, 4, 1)
 * }</pre>
 *
 * <p>URI forms: {@code range:N} (0 to N-1), {@code range:A..B} (A to B-1). Options: {@code partitions}
 * (default: Spark's default parallelism), {@code rowsPerSecond} (streaming only, default 1).
 */
public final class RangeSource implements BatchReadable, StreamReadable {
    private final long start;
    private final long end;
    private final int partitions;
    private final long rowsPerSecond;

    /**
     * @param partitions    0 for Spark's default parallelism
     * @param rowsPerSecond the streaming rate, at least 1
     */
    public RangeSource(long start, long end, int partitions, long rowsPerSecond) {
        if (end < start) {
            throw new ConfigurationException("range end " + end + " is before its start " + start);
        }
        if (partitions < 0 || rowsPerSecond < 1) {
            throw new ConfigurationException("range partitions must be >= 0 and rowsPerSecond >= 1");
        }
        this.start = start;
        this.end = end;
        this.partitions = partitions;
        this.rowsPerSecond = rowsPerSecond;
    }

    @Override
    public String name() {
        return "range:" + start + ".." + end;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    @Override
    public Dataset<Row> read(SparkSession spark) {
        int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        return spark.range(start, end, 1, p).toDF();
    }

    @Override
    public Dataset<Row> readStream(SparkSession spark) {
        var reader = spark.readStream().format("rate").option("rowsPerSecond", rowsPerSecond);
        if (partitions > 0) {
            reader = reader.option("numPartitions", partitions);
        }
        return reader.load().selectExpr("value + " + start + " AS id", "timestamp");
    }

    @Override
    public String toString() {
        return name();
    }
}
