package dev.kindling.ipp;

import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A processor written in Spark SQL. The input is visible to the query as the temporary view
 * {@code input}; the query is analysed when {@link #process} is called, so a wrong column or table
 * name fails there, with Spark's message.
 *
 * <pre>{@code
 * Processor wordCounts = Processor.sql(
 *     "SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word");
 * }</pre>
 *
 * <p>Works on batch and on streaming input. Thread-safe: registering the view and analysing the query
 * happen under a lock on the session, and the analysed plan no longer refers to the view, so concurrent
 * jobs in one session do not see each other's input.
 */
public final class SqlProcessor implements Processor {
    /** The name of the view that holds the processor's input. */
    public static final String INPUT_VIEW = "input";

    private final String query;

    public SqlProcessor(String query) {
        Objects.requireNonNull(query, "query");
        if (query.isBlank()) {
            throw new ConfigurationException("a SQL processor needs a query, e.g. \"SELECT * FROM input\"");
        }
        this.query = query;
    }

    public String query() {
        return query;
    }

    @Override
    public Dataset<Row> process(Dataset<Row> input) {
        SparkSession spark = input.sparkSession();
        synchronized (spark) {
            input.createOrReplaceTempView(INPUT_VIEW);
            try {
                Dataset<Row> result = spark.sql(query);
                // Force analysis now, while the view holds this input.
                result.schema();
                return result;
            } catch (Exception e) {
                if (e instanceof RuntimeException r && !(e instanceof org.apache.spark.sql.AnalysisException)) {
                    throw r;
                }
                throw new ConfigurationException("SQL processor failed to analyse \"" + query + "\": " + e.getMessage(), e);
            } finally {
                spark.catalog().dropTempView(INPUT_VIEW);
            }
        }
    }

    @Override
    public String toString() {
        return "SqlProcessor[" + query + "]";
    }
}
