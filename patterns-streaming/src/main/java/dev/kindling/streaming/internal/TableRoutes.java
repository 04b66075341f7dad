package dev.kindling.streaming.internal;

import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.Routes;
import dev.kindling.streaming.QueryableTable;
import dev.kindling.streaming.StreamingStatus;
import dev.kindling.streaming.TableQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The HTTP side of a runner's queryable tables: one route per table at its own path,
 * {@code PREFIX/tables/NAME}, and the table list for the runner's status. Handlers read the tables'
 * published rows only; no request starts a Spark job. A replica that does not run the queries (a standby,
 * or a leader that has just lost its lease) answers {@code 503} with {@code Retry-After} and a problem
 * naming the leader, never the rows it may still hold from an earlier lead.
 */
public final class TableRoutes {
    private final String runner;
    private final String prefix;
    private final List<QueryableTable> tables;
    private final Supplier<Optional<Problem>> unavailable;

    /** @param unavailable why the tables cannot answer now (a 503 problem), or empty when they can */
    public TableRoutes(String runner, String prefix, List<QueryableTable> tables, Supplier<Optional<Problem>> unavailable) {
        this.runner = runner;
        this.prefix = prefix;
        this.tables = List.copyOf(tables);
        this.unavailable = unavailable;
    }

    /**
     * Adds {@code GET PREFIX/tables/NAME} for each table.
     *
     * @param maxLimit the largest {@code limit}; 0 until the runner has started (the routes answer 503 then)
     */
    public void register(Routes routes, IntSupplier maxLimit) {
        for (QueryableTable t : tables) {
            routes.get(path(t), "rows of the queryable table " + t.tableName() + ": ?orderBy=, ?desc=, ?limit=", ctx -> {
                int max = maxLimit.getAsInt();
                if (max < 1) {
                    throw new ProblemException(Problem.of(503, "Service Unavailable", "streaming runner '" + runner + "' has not started yet"));
                }
                Optional<Problem> standby = unavailable.get();
                if (standby.isPresent()) {
                    throw new ProblemException(standby.get());
                }
                TableQuery query;
                try {
                    query = TableQuery.parse(ctx.queryParamMap(), t.schema(), max);
                } catch (IllegalArgumentException e) {
                    throw ProblemException.badRequest(e.getMessage());
                }
                ctx.json(t.query(query));
            });
        }
    }

    /** Where {@code table} is served. */
    public String path(QueryableTable table) {
        return prefix + "/tables/" + table.tableName();
    }

    /** The tables as {@code /status} lists them. */
    public List<StreamingStatus.TableSummary> summaries() {
        List<StreamingStatus.TableSummary> out = new ArrayList<>();
        for (QueryableTable t : tables) {
            out.add(new StreamingStatus.TableSummary(t.tableName(), path(t), t.keys(), List.of(t.schema().fieldNames()),
                    t.rows().size(), t.lastBatchId()));
        }
        return List.copyOf(out);
    }
}
