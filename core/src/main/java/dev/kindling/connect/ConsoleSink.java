package dev.kindling.connect;

import dev.kindling.connect.internal.RowTable;
import dev.kindling.ipp.BatchWritable;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.ipp.WriteResult;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs at most {@code rows} rows of each batch as a table, through the SLF4J logger
 * {@code dev.kindling.console} at INFO. For demos and debugging: {@link DeliveryGuarantee#BEST_EFFORT},
 * and the {@link WriteResult} counts only the rows shown. As a streaming sink it uses Spark's
 * {@code console} format, which prints to standard output.
 *
 * <pre>{@code
 * Sink console = Connectors.builtIn().sink("console:?rows=5");   // or new ConsoleSink(5)
 * }</pre>
 */
public final class ConsoleSink implements BatchWritable, StreamWritable {
    private static final Logger LOG = LoggerFactory.getLogger("dev.kindling.console");
    private final int rows;

    /** @param rows the most rows shown per batch, 1 or more (URI option {@code rows}, default 20) */
    public ConsoleSink(int rows) {
        if (rows < 1) {
            throw new dev.kindling.ipp.ConfigurationException("console rows must be >= 1, got " + rows);
        }
        this.rows = rows;
    }

    @Override
    public String name() {
        return "console:?rows=" + rows;
    }

    @Override
    public DeliveryGuarantee guarantee() {
        return DeliveryGuarantee.BEST_EFFORT;
    }

    @Override
    public boolean needsCheckpoint() {
        return false;
    }

    @Override
    public WriteResult write(Dataset<Row> data, long batchId) {
        List<Row> shown = data.limit(rows).collectAsList();
        LOG.info("batch {}:\n{}", batchId, RowTable.format(data.schema(), shown));
        return new WriteResult(batchId, shown.size());
    }

    @Override
    public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
        return data.writeStream().format("console").option("numRows", rows).option("truncate", false);
    }
}
