package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class TableQueryTest {
    private static final StructType SCHEMA = StructType.fromDDL("word STRING, count BIGINT, raw BINARY");

    private static TableQuery parse(Map<String, List<String>> params) {
        return TableQuery.parse(params, SCHEMA, 50);
    }

    @Test
    void parsesOrderDirectionAndLimit() {
        assertThat(parse(Map.of("orderBy", List.of("count"), "desc", List.of("TRUE"), "limit", List.of("7"))))
                .isEqualTo(new TableQuery(Optional.of("count"), true, 7));
        assertThat(parse(Map.of())).isEqualTo(new TableQuery(Optional.empty(), false, 50));
        assertThat(TableQuery.parse(Map.of(), SCHEMA, 1000)).isEqualTo(new TableQuery(Optional.empty(), false, 100));
    }

    @Test
    void rejectsEachBadParameterWithItsReason() {
        assertThatThrownBy(() -> parse(Map.of("orderBy", List.of("nope"))))
                .hasMessage("orderBy: unknown column 'nope'; columns: word, count, raw");
        assertThatThrownBy(() -> parse(Map.of("orderBy", List.of("raw"))))
                .hasMessage("orderBy: column 'raw' is of type binary and cannot be ordered");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("0")))).hasMessage("limit must be from 1 to 50; got 0");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("-3")))).hasMessage("limit must be from 1 to 50; got -3");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("51")))).hasMessage("limit must be from 1 to 50; got 51");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("1e3")))).hasMessage("limit must be a whole number from 1 to 50; got '1e3'");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("99999999999999999999"))))
                .hasMessage("limit must be a whole number from 1 to 50; got '99999999999999999999'");
        assertThatThrownBy(() -> parse(Map.of("desc", List.of("yes"), "orderBy", List.of("word"))))
                .hasMessage("desc must be true or false; got 'yes'");
        assertThatThrownBy(() -> parse(Map.of("desc", List.of("true")))).hasMessage("desc needs orderBy: say which column to sort by");
        assertThatThrownBy(() -> parse(Map.of("sql", List.of("1")))).hasMessage("unknown query parameter 'sql'; accepted: desc, limit, orderBy");
        assertThatThrownBy(() -> parse(Map.of("limit", List.of("1", "2")))).hasMessage("query parameter 'limit' is given 2 times; give it once");
    }
}
