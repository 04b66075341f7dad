package dev.kindling.ipp;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The batch-read capability: the source can be read whole, as a bounded dataset.
 *
 * <pre>{@code
 * Dataset<Row> rows = ((BatchReadable) Connectors.builtIn().source("file:/data/in.csv")).read(spark);
 * }</pre>
 */
public interface BatchReadable extends Source {
    /** A lazy dataset over the source's current content; no Spark job runs until an action. */
    Dataset<Row> read(SparkSession spark);
}
