package dev.kindling.connect.internal;

import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.WriteResult;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

/**
 * Counts the rows a write commits without a second Spark job: the count is observed while the
 * write runs ({@link Observation}).
 */
public final class CountedWrite {
    private static final FiniteDuration WAIT = FiniteDuration.apply(60, TimeUnit.SECONDS);

    private CountedWrite() {
    }

    /**
     * Runs {@code write} on {@code data} with a row count kept in an accumulator, for writers that
     * run their own Spark jobs outside the observed query (Kafka). Costs a row conversion per row.
     */
    public static WriteResult runCountingRows(Dataset<Row> data, long batchId, Consumer<Dataset<Row>> write) {
        org.apache.spark.util.LongAccumulator rows = data.sparkSession().sparkContext().longAccumulator("kindling.rows");
        Dataset<Row> counted = data.mapPartitions(new RowCountingFunction(rows), org.apache.spark.sql.Encoders.row(data.schema()));
        write.accept(counted);
        return new WriteResult(batchId, rows.value());
    }

    /** Counts rows as they pass. */
    private static final class RowCountingFunction implements org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final org.apache.spark.util.LongAccumulator rows;

        RowCountingFunction(org.apache.spark.util.LongAccumulator rows) {
            this.rows = rows;
        }

        @Override
        public java.util.Iterator<Row> call(java.util.Iterator<Row> input) {
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return input.hasNext();
                }

                @Override
                public Row next() {
                    Row r = input.next();
                    rows.add(1);
                    return r;
                }
            };
        }
    }

    /** Runs {@code write} on {@code data} with a row count attached and returns what was written. */
    public static WriteResult run(Dataset<Row> data, long batchId, Consumer<Dataset<Row>> write) {
        Observation observation = new Observation("kindling_rows_" + UUID.randomUUID().toString().replace('-', '_'));
        Dataset<Row> observed = data.observe(observation, functions.count(functions.lit(1)).as("rows"));
        write.accept(observed);
        try {
            Row metrics = Await.result(observation.future(), WAIT);
            return new WriteResult(batchId, metrics.getLong(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KindlingException("interrupted while waiting for the row count of batch " + batchId, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KindlingException("the write of batch " + batchId + " finished but reported no row count", e);
        }
    }
}
