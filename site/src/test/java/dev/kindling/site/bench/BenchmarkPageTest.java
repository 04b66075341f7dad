package dev.kindling.site.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkPageTest {
    private static final String CORE = """
            {"schema":"kindling-bench/1","bench":"core","title":"Kindling vs plain Spark, batch pipeline",
             "command":"mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args=\\"1000 2\\"",
             "startedAt":"2026-11-26T07:00:00Z","finishedAt":"2026-11-26T07:01:00Z",
             "machine":{"cores":"2","java":"17"},"parameters":{"rows":"1000","rounds":"2"},
             "measurements":[{"id":"pipeline","title":"1,000-row batch pipeline","unit":"ms","variants":["kindling","plain"],
               "rounds":[{"kindling":110.0,"plain":100.0},{"kindling":99.0,"plain":100.0}],
               "medians":{"kindling":104.0,"plain":100.0},"statistics":{},
               "ratios":[{"name":"kindling / plain","value":1.045,"goal":"<= 1.03","met":false}]}]}
            """;

    @Test
    void aResultFileBecomesASectionWithItsCommandTablesAndCharts(@TempDir Path dir) throws IOException {
        Path bench = Files.createDirectories(dir.resolve("bench"));
        Files.createDirectories(bench.resolve("core"));
        Files.writeString(bench.resolve("core/pom.xml"), "<project><name>Kindling benchmark: core</name></project>");
        Files.createDirectories(bench.resolve("results"));
        Files.writeString(bench.resolve("results/core.json"), CORE);
        Path site = dir.resolve("site");

        String adoc = new BenchmarkPage(bench, site).render();

        assertThat(adoc).contains("[#bench-core]\n== core: pass:c[Kindling vs plain Spark, batch pipeline]")
                .contains("mvn -B -q -f bench/core/pom.xml exec:exec -Dbench.args=\"1000 2\"")
                .contains("| pass:c[kindling] | 104\n| pass:c[plain] | 100\n")
                .contains("* pass:c[kindling / plain]: *1.045* (goal ``pass:c[<= 1.03]``: not met)")
                .contains("image::images/bench/ratios.svg[")
                .contains("image::images/bench/core-pipeline.svg[")
                .contains("link:bench/results/core.json[core.json]");
        assertThat(site.resolve("images/bench/ratios.svg")).content().startsWith("<svg");
        assertThat(site.resolve("images/bench/core-pipeline.svg")).content().contains("<polyline");
        assertThat(site.resolve("bench/results/core.json")).hasSameTextualContentAs(bench.resolve("results/core.json"));
    }

    @Test
    void theHarnessTheBenchesShareIsNoBenchOfItsOwn(@TempDir Path dir) throws IOException {
        Path bench = Files.createDirectories(dir.resolve("bench"));
        for (String module : new String[] {"harness", "streaming", "core"}) {
            Files.createDirectories(bench.resolve(module));
            Files.writeString(bench.resolve(module + "/pom.xml"), "<project/>");
        }
        Files.createDirectories(bench.resolve("results"));
        Files.writeString(bench.resolve("results/continuous-blas.json"), CORE.replace("\"bench\":\"core\"", "\"bench\":\"continuous-blas\""));
        assertThat(new BenchmarkPage(bench, dir.resolve("site")).benches()).containsExactly("core", "streaming", "continuous-blas");
    }

    @Test
    void withoutResultFilesThePageSaysSo(@TempDir Path dir) throws IOException {
        Path bench = Files.createDirectories(dir.resolve("bench"));
        assertThat(new BenchmarkPage(bench, dir.resolve("site")).render()).contains("NOTE: No result file is in");
    }
}
