package dev.kindling.streaming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** Spark row values as JSON-friendly Java values (maps, lists, ISO-8601 text for time). */
final class JsonValues {
    private JsonValues() {
    }

    static Map<String, Object> row(Row r) {
        Map<String, Object> out = new LinkedHashMap<>();
        StructField[] fields = r.schema().fields();
        for (int i = 0; i < fields.length; i++) {
            out.put(fields[i].name(), value(r.get(i)));
        }
        return out;
    }

    static Object value(Object v) {
        if (v instanceof Row nested) {
            return row(nested);
        }
        if (v instanceof scala.collection.Seq<?> seq) {
            List<Object> out = new ArrayList<>();
            seq.foreach(x -> out.add(value(x)));
            return out;
        }
        if (v instanceof scala.collection.Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.foreach(e -> out.put(String.valueOf(e._1()), value(e._2())));
            return out;
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toInstant().toString();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof java.time.temporal.TemporalAccessor t) {
            return t.toString();
        }
        return v;
    }
}
