package dev.kindling.ipp;

import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias$;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import scala.runtime.AbstractPartialFunction;

/**
 * A processor written in Spark SQL. The input is visible to the query as the table {@code input};
 * the query is analysed when {@link #process} is called, so a wrong column or table name fails there,
 * with Spark's message.
 *
 * <pre>{@code
 * Processor wordCounts = Processor.sql(
 *     "SELECT word, count(*) AS count FROM (SELECT explode(split(value, ' ')) AS word FROM input) GROUP BY word");
 * }</pre>
 *
 * <p>Works on batch and on streaming input. The query is parsed and each reference to {@code input}
 * (in subqueries too) is replaced by the input's plan before analysis: no view is registered in the
 * session's catalog, so concurrent jobs in one session neither wait for each other nor see each other's
 * input, and a call costs what {@code spark.sql(query)} costs. A query with common table expressions
 * ({@code WITH ...}) gets the input as the temporary view {@code input} instead, registered and dropped
 * under a lock on the session, so that its CTEs read the input and one named {@code input} takes
 * precedence over it, as in plain Spark.
 */
public final class SqlProcessor implements Processor {
    /** The name under which the query reads the processor's input. */
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
        try {
            if (input instanceof org.apache.spark.sql.classic.Dataset<Row> classic) {
                org.apache.spark.sql.classic.SparkSession spark = classic.sparkSession();
                LogicalPlan parsed = spark.sessionState().sqlParser().parsePlan(query);
                if (!hasCtes(parsed)) {
                    return org.apache.spark.sql.classic.Dataset.ofRows(spark, parsed.transformUpWithSubqueries(
                            new InputReference(classic.logicalPlan(), spark.sessionState().conf().caseSensitiveAnalysis())));
                }
            }
            return throughView(input);
        } catch (Exception e) {
            if (e instanceof RuntimeException r && !(e instanceof org.apache.spark.sql.AnalysisException)) {
                throw r;
            }
            throw new ConfigurationException("SQL processor failed to analyse \"" + query + "\": " + e.getMessage(), e);
        }
    }

    /** The input as the temporary view {@code input} while the query is analysed. */
    private Dataset<Row> throughView(Dataset<Row> input) {
        SparkSession spark = input.sparkSession();
        synchronized (spark) {
            input.createOrReplaceTempView(INPUT_VIEW);
            try {
                Dataset<Row> result = spark.sql(query);
                // Force analysis now, while the view holds this input.
                result.schema();
                return result;
            } finally {
                spark.catalog().dropTempView(INPUT_VIEW);
            }
        }
    }

    /** Whether the query has CTEs (in subqueries too), whose definitions are not among the plan's children. */
    private static boolean hasCtes(LogicalPlan parsed) {
        return parsed.collectWithSubqueries(new AbstractPartialFunction<LogicalPlan, Object>() {
            @Override
            public boolean isDefinedAt(LogicalPlan node) {
                return node instanceof UnresolvedWith;
            }

            @Override
            public Object apply(LogicalPlan node) {
                return node;
            }
        }).nonEmpty();
    }

    /** Replaces each one-part table reference {@code input} by the input's plan, named {@code input}. */
    private static final class InputReference extends AbstractPartialFunction<LogicalPlan, LogicalPlan> {
        private final LogicalPlan input;
        private final boolean caseSensitive;

        InputReference(LogicalPlan input, boolean caseSensitive) {
            this.input = input;
            this.caseSensitive = caseSensitive;
        }

        @Override
        public boolean isDefinedAt(LogicalPlan node) {
            if (node instanceof UnresolvedRelation r && r.multipartIdentifier().size() == 1) {
                String name = r.multipartIdentifier().head();
                return caseSensitive ? name.equals(INPUT_VIEW) : name.equalsIgnoreCase(INPUT_VIEW);
            }
            return false;
        }

        @Override
        public LogicalPlan apply(LogicalPlan node) {
            return SubqueryAlias$.MODULE$.apply(INPUT_VIEW, input);
        }
    }

    @Override
    public String toString() {
        return "SqlProcessor[" + query + "]";
    }
}
