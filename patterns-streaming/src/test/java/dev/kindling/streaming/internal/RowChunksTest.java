package dev.kindling.streaming.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Versions share chunks, yet a new version never changes an old one. */
class RowChunksTest {
    private static List<Row> rows(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> RowFactory.create("k" + i, (long) i)).toList();
    }

    @Test
    void anEditLeavesTheVersionItStartedFromAsItWas() {
        List<Row> first = rows(0, 2500);
        RowChunks v1 = RowChunks.of(first);
        RowChunks.Editor e = v1.edit();
        Row changed = RowFactory.create("k1", 100L);
        e.set(1, changed);
        e.set(2048, changed);
        e.add(RowFactory.create("k2500", 2500L));
        RowChunks v2 = e.build();

        assertThat(v1).containsExactlyElementsOf(first);
        List<Row> expected = new ArrayList<>(first);
        expected.set(1, changed);
        expected.set(2048, changed);
        expected.add(RowFactory.create("k2500", 2500L));
        assertThat(v2).containsExactlyElementsOf(expected);
    }

    @Test
    void droppingTheOldestRowsKeepsTheNewestInOrder() {
        RowChunks v1 = RowChunks.of(rows(0, 3000));
        RowChunks.Editor e = v1.edit();
        e.dropFirst(2100);
        rows(3000, 3100).forEach(e::add);
        RowChunks v2 = e.build();

        assertThat(v2).containsExactlyElementsOf(rows(2100, 3100));
        assertThat(v1).containsExactlyElementsOf(rows(0, 3000));
        RowChunks.Editor all = v2.edit();
        all.dropFirst(v2.size());
        RowChunks empty = all.build();
        assertThat(empty).isEmpty();
        RowChunks.Editor again = empty.edit();
        again.add(rows(0, 1).get(0));
        assertThat(again.build()).containsExactlyElementsOf(rows(0, 1));
    }
}
