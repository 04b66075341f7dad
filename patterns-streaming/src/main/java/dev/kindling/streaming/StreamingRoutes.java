package dev.kindling.streaming;

import dev.kindling.service.ProblemException;
import io.javalin.config.RoutesConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The HTTP routes of the stream processing pattern, for a {@link dev.kindling.service.ControlPlane}:
 *
 * <ul>
 *   <li>{@code GET /status} — a JSON list of {@link RunnerStatus}, one per runner (state, rates,
 *       batch duration, state rows, dead letters, Kafka lag per partition);</li>
 *   <li>{@code GET /tables} — the names of the queryable tables;</li>
 *   <li>{@code GET /tables/{name}?orderBy=COL&desc=true&limit=N} — rows of a {@link QueryableTable}
 *       as a JSON list of objects; {@code 404} for an unknown table, {@code 400} for an unknown
 *       column or parameter or a limit outside 1..max.</li>
 * </ul>
 *
 * <pre>{@code
 * ControlPlane plane = ControlPlane.builder("wordcount")
 *         .readiness("query", runner::isReady)
 *         .routes(StreamingRoutes.of(List.of(runner), 1000))
 *         .onShutdown("query", runner::stop)
 *         .build().start();
 * }</pre>
 *
 * <p>Handlers read the runners' and tables' published state only; they never start a Spark job.
 */
public final class StreamingRoutes implements java.util.function.Consumer<RoutesConfig> {
    private final List<StreamingRunner> runners;
    private final Map<String, QueryableTable> tables;
    private final int maxLimit;

    private StreamingRoutes(List<StreamingRunner> runners, List<QueryableTable> extraTables, int maxLimit) {
        this.runners = List.copyOf(runners);
        this.maxLimit = maxLimit;
        Map<String, QueryableTable> t = new TreeMap<>();
        List<QueryableTable> all = new ArrayList<>(extraTables);
        runners.forEach(r -> all.addAll(r.tables()));
        for (QueryableTable table : all) {
            QueryableTable before = t.put(table.tableName(), table);
            if (before != null && before != table) {
                throw new dev.kindling.ipp.ConfigurationException("two queryable tables are named '" + table.tableName() + "'");
            }
        }
        this.tables = t;
    }

    /** Routes for {@code runners} and their tables; {@code maxLimit} bounds {@code limit}. */
    public static StreamingRoutes of(List<StreamingRunner> runners, int maxLimit) {
        return of(runners, List.of(), maxLimit);
    }

    /** Routes for {@code runners}, their tables and {@code extraTables}. */
    public static StreamingRoutes of(List<StreamingRunner> runners, List<QueryableTable> extraTables, int maxLimit) {
        Objects.requireNonNull(runners, "runners");
        Objects.requireNonNull(extraTables, "extraTables");
        if (maxLimit < 1) {
            throw new dev.kindling.ipp.ConfigurationException("maxLimit must be at least 1; got " + maxLimit);
        }
        return new StreamingRoutes(runners, extraTables, maxLimit);
    }

    /** The table called {@code name}; answers 404 when there is none. */
    public QueryableTable table(String name) {
        QueryableTable t = tables.get(name);
        if (t == null) {
            throw ProblemException.notFound("no queryable table is named '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                    + "'; tables: " + String.join(", ", tables.keySet()));
        }
        return t;
    }

    /** Parses the request parameters for {@code table}; answers 400 on a bad parameter. */
    public TableQuery parse(QueryableTable table, Map<String, List<String>> parameters) {
        try {
            return TableQuery.parse(parameters, table.schema(), maxLimit);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    @Override
    public void accept(RoutesConfig r) {
        r.get("/status", ctx -> {
            List<RunnerStatus> out = new ArrayList<>();
            runners.forEach(x -> out.add(x.status()));
            ctx.json(out);
        });
        r.get("/tables", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            tables.values().forEach(t -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.tableName());
                m.put("keys", t.keys());
                m.put("columns", List.of(t.schema().fieldNames()));
                m.put("rows", t.rows().size());
                m.put("lastBatchId", t.lastBatchId());
                out.add(m);
            });
            ctx.json(out);
        });
        r.get("/tables/{name}", ctx -> {
            QueryableTable t = table(ctx.pathParam("name"));
            ctx.json(t.query(parse(t, ctx.queryParamMap())));
        });
    }
}
