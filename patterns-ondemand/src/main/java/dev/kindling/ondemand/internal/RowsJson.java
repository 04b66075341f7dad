package dev.kindling.ondemand.internal;

import java.io.CharArrayWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonGenerator;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.CalendarIntervalType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DayTimeIntervalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.YearMonthIntervalType;
import scala.Function1;

/**
 * The first rows of a result as JSON text, one object per row, exactly as {@code Dataset.toJSON()}
 * writes them (Spark's JSON writer, the session's time zone, null fields left out), but written on the
 * driver from the collected rows: the result's plan runs as it is, with only a {@code limit} on top,
 * instead of being analysed and planned again under the row-to-JSON conversion. A result with ANSI
 * interval columns, which Spark writes from its own representation, still goes through {@code toJSON()}.
 *
 * <pre>{@code
 * List<String> lines = RowsJson.first(out, 1001);   // ["{\"id\":1}", ...]
 * }</pre>
 */
final class RowsJson {
    private RowsJson() {
    }

    /** At most {@code n} rows of {@code data}, each as a JSON object. */
    static List<String> first(Dataset<Row> data, int n) {
        StructType schema = data.schema();
        if (hasInterval(schema)) {
            return data.toJSON().limit(n).collectAsList();
        }
        List<Row> rows = data.takeAsList(n);
        String timeZone = data.sparkSession().conf().get("spark.sql.session.timeZone");
        Function1<Object, Object> toInternal = CatalystTypeConverters.createToCatalystConverter(schema);
        CharArrayWriter out = new CharArrayWriter();
        JacksonGenerator generator = new JacksonGenerator(schema, out,
                new JSONOptions(scala.collection.immutable.Map$.MODULE$.<String, String>empty(), timeZone, ""));
        List<String> lines = new ArrayList<>(rows.size());
        for (Row row : rows) {
            generator.write((InternalRow) toInternal.apply(row));
            generator.flush();
            lines.add(out.toString());
            out.reset();
        }
        generator.close();
        return lines;
    }

    private static boolean hasInterval(DataType type) {
        if (type instanceof StructType struct) {
            return Arrays.stream(struct.fields()).anyMatch(f -> hasInterval(f.dataType()));
        }
        if (type instanceof ArrayType array) {
            return hasInterval(array.elementType());
        }
        if (type instanceof MapType map) {
            return hasInterval(map.keyType()) || hasInterval(map.valueType());
        }
        return type instanceof DayTimeIntervalType || type instanceof YearMonthIntervalType || type instanceof CalendarIntervalType;
    }
}
