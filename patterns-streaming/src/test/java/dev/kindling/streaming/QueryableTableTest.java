package dev.kindling.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A maxRows that cannot fit the heap is refused when the table is made, naming the option, the estimate and the heap. */
class QueryableTableTest {
    @Test
    void aMaxRowsBeyondTheHeapIsRefusedWithTheEstimateAndTheHeap() {
        assertThatThrownBy(() -> QueryableTable.requireHeap("counts", 10_000_000, 1L << 30))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("table 'counts' may hold maxRows=10000000 rows, an estimated 3814 MiB of heap (200 bytes per row, "
                        + "times 2 for headroom), but the heap is at most 1024 MiB: lower the option maxRows "
                        + "(table:counts?maxRows=N) or give the JVM more heap (-Xmx)");
        QueryableTable.requireHeap("counts", 2_000_000, 1L << 30);
    }

    @Test
    void theConstructorChecksAgainstThisJvmsHeap() {
        long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
        assertThatThrownBy(() -> new QueryableTable("huge", List.of("k"), Integer.MAX_VALUE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("table 'huge' may hold maxRows=2147483647 rows")
                .hasMessageContaining("but the heap is at most " + heapMiB + " MiB: lower the option maxRows (table:huge?maxRows=N)");
        assertThat(QueryableTable.keyedBy("fits", "k").tableName()).isEqualTo("fits");
    }
}
