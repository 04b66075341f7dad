package dev.kindling.streaming;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

/**
 * One read of a {@link QueryableTable}: an optional sort column, its direction and a row limit.
 * Built from HTTP query parameters by {@link #parse}, which checks the column against the table's
 * schema and bounds the limit; nothing from the request is ever passed to Spark.
 *
 * <pre>{@code
 * TableQuery top10 = TableQuery.parse(Map.of("orderBy", List.of("count"), "desc", List.of("true"), "limit", List.of("10")),
 *         table.schema(), 1000);
 * List<Map<String, Object>> rows = table.query(top10);
 * }</pre>
 *
 * @param orderBy the column to sort by; empty: the table's own order (by key)
 * @param descending sort from the largest value down
 * @param limit at most this many rows, at least 1
 */
public record TableQuery(Optional<String> orderBy, boolean descending, int limit) {
    /** The limit when the request gives none. */
    public static final int DEFAULT_LIMIT = 100;
    /** The query parameters {@link #parse} accepts. */
    public static final Set<String> PARAMETERS = Set.of("orderBy", "desc", "limit");

    public TableQuery {
        Objects.requireNonNull(orderBy, "orderBy");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1; got " + limit);
        }
    }

    /**
     * Checks and converts request parameters.
     *
     * @throws IllegalArgumentException naming the parameter and what is allowed: an unknown or repeated
     *         parameter, a column that is not in {@code schema} or cannot be ordered, a {@code desc} that is
     *         not true/false, a {@code limit} that is not a whole number from 1 to {@code maxLimit}
     */
    public static TableQuery parse(Map<String, List<String>> parameters, StructType schema, int maxLimit) {
        for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
            if (!PARAMETERS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown query parameter '" + e.getKey() + "'; accepted: desc, limit, orderBy");
            }
            if (e.getValue().size() > 1) {
                throw new IllegalArgumentException("query parameter '" + e.getKey() + "' is given " + e.getValue().size() + " times; give it once");
            }
        }
        Optional<String> orderBy = single(parameters, "orderBy");
        if (orderBy.isPresent()) {
            String column = orderBy.get();
            List<String> names = Arrays.asList(schema.fieldNames());
            if (!names.contains(column)) {
                throw new IllegalArgumentException("orderBy: unknown column '" + shorten(column) + "'; columns: " + String.join(", ", names));
            }
            DataType type = schema.apply(column).dataType();
            if (type instanceof BinaryType$ || type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
                throw new IllegalArgumentException("orderBy: column '" + column + "' is of type " + type.simpleString() + " and cannot be ordered");
            }
        }
        boolean desc = false;
        Optional<String> d = single(parameters, "desc");
        if (d.isPresent()) {
            String v = d.get().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("desc must be true or false; got '" + shorten(d.get()) + "'");
            }
            desc = v.equals("true");
        }
        int limit = Math.min(DEFAULT_LIMIT, maxLimit);
        Optional<String> l = single(parameters, "limit");
        if (l.isPresent()) {
            long parsed;
            try {
                parsed = Long.parseLong(l.get().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit must be a whole number from 1 to " + maxLimit + "; got '" + shorten(l.get()) + "'");
            }
            if (parsed < 1 || parsed > maxLimit) {
                throw new IllegalArgumentException("limit must be from 1 to " + maxLimit + "; got " + parsed);
            }
            limit = (int) parsed;
        }
        if (desc && orderBy.isEmpty()) {
            throw new IllegalArgumentException("desc needs orderBy: say which column to sort by");
        }
        return new TableQuery(orderBy, desc, limit);
    }

    private static Optional<String> single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
