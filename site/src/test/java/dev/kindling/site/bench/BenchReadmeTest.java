package dev.kindling.site.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReadmeTest {
    private static final String README = """
            # Kindling benchmarks

            | module | question | command |
            | --- | --- | --- |
            | [core](core) | cost? | `mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args="20000000 9"` |
            | [ondemand](ondemand/README.md) | latency | `mvn -B -f bench/ondemand/pom.xml package exec:exec` |

            ## Summary after something (2026-11-26)

            Rerun with `nothing` else running.

            | benchmark | result | goal |
            | --- | --- | --- |
            | core: Kindling / plain Spark | median ratio **1.022** (693 vs 644 ms) | ≤ 1.03: met |
            | on-demand: HTTP / in-process | 1.190 (44.8 vs 37.6 ms) | ≤ 1.10: not met; same spread |
            | on-demand: warm vs cold | 196× (cold median 8.8 s) | ≥ 50×: met |
            | on-demand: p99 | 124 ms | better |

            ## Summary (2026-11-25)

            | benchmark | result | goal |
            | --- | --- | --- |
            | core: old | 1.048 | ≤ 1.03 |
            """;

    @Test
    void readsTheNewestSummaryTheCommandsAndTheChartableRows(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("README.md"), README);
        BenchReadme r = BenchReadme.read(file);

        assertThat(r.title()).isEqualTo("Summary after something (2026-11-26)");
        assertThat(r.intro()).isEqualTo("Rerun with `nothing` else running.");
        assertThat(r.header()).containsExactly("benchmark", "result", "goal");
        assertThat(r.rows()).hasSize(4);
        assertThat(r.commands()).isEqualTo(Map.of("core", "mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args=\"20000000 9\"",
                "ondemand", "mvn -B -f bench/ondemand/pom.xml package exec:exec"));
        assertThat(r.bars()).containsExactly(
                new SvgChart.Bar("core: Kindling / plain Spark", 1.022, "<= 1.03", true),
                new SvgChart.Bar("on-demand: HTTP / in-process", 1.190, "<= 1.10", false),
                new SvgChart.Bar("on-demand: warm vs cold", 196, ">= 50", true));
    }

    @Test
    void aReadmeWithoutSummaryGivesNothing(@TempDir Path dir) throws IOException {
        assertThat(BenchReadme.read(Files.writeString(dir.resolve("README.md"), "# Benchmarks\n"))).isNull();
        assertThat(BenchReadme.read(dir.resolve("missing.md"))).isNull();
    }

    @Test
    void cellsKeepCodeSpansAndDropBoldMarks() {
        assertThat(BenchReadme.cell("**1.022** with `GET /x`")).isEqualTo("pass:c[1.022 with ]``pass:c[GET /x]``");
        assertThat(BenchReadme.benchOf("on-demand: warm vs cold")).isEqualTo("ondemand");
    }

    @Test
    void theRatioChartIsAnSvgWithOneBarPerRatio() {
        String svg = SvgChart.ratios(List.of(new SvgChart.Bar("a", 1.5, "<= 2", true), new SvgChart.Bar("b & c", 0.5, null, null)));
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n").contains("b &amp; c");
        assertThat(svg.split("<rect ", -1)).hasSize(1 + 1 + 2); // the background and two bars
    }
}
