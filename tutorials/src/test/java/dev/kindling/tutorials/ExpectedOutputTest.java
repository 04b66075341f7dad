package dev.kindling.tutorials;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExpectedOutputTest {
    @Test
    void linesMustAppearInOrderWithWildcards() {
        String actual = "\u001B[0m\u001B[0mstarting\n{\"id\":\"5c1d\",\"state\":\"QUEUED\"}\nHTTP/1.1 202 Accepted\ndone\n";
        assertThat(List.of(
                new ExpectedOutput("{\"id\":\"...\",\"state\":\"QUEUED\"}\ndone", 0).mismatch(actual),
                new ExpectedOutput("done\nHTTP/1.1 202 Accepted", 0).mismatch(actual),
                new ExpectedOutput("HTTP/1.1 202...", 0).mismatch(actual),
                new ExpectedOutput("starting", 0).mismatch(actual)))
                .containsExactly(Optional.empty(),
                        Optional.of("expected a line matching 'HTTP/1.1 202 Accepted' after line 4 ('done')"),
                        Optional.empty(), Optional.empty());
    }

    @Test
    void numbersWithinTheTolerance() {
        String actual = "{\"pi\":3.141868,\"samples\":1000000,\"durationMs\":212}";
        assertThat(List.of(
                new ExpectedOutput("{\"pi\":3.14,\"samples\":1000000,...", 0.01).mismatch(actual),
                new ExpectedOutput("{\"pi\":3.13,\"samples\":1000000,...", 0.01).mismatch(actual),
                new ExpectedOutput("{\"pi\":3.14,...", 0).mismatch(actual)))
                .containsExactly(Optional.empty(),
                        Optional.of("expected a line matching '{\"pi\":3.13,\"samples\":1000000,...' (numbers within 0.01)"),
                        Optional.of("expected a line matching '{\"pi\":3.14,...'"));
    }

    @Test
    void blocksKeepTheirRolesAndAttributes() {
        List<AdocBlocks.Block> blocks = AdocBlocks.parse(Path.of("p.adoc"), List.of(
                "[source,shell,role=run]", "----", "curl -s localhost:8080/readyz", "----",
                "[source,text,role=output,tolerance=0.01]", "----", "ready", "----",
                "[source,shell,role=manual]", "----", "kubectl apply -k k8s/", "----"));
        assertThat(blocks.stream().map(b -> b.line() + " " + b.language() + " " + b.role() + " " + b.attributes() + " " + b.content()).toList())
                .containsExactly("1 shell run {role=run} curl -s localhost:8080/readyz",
                        "5 text output {role=output, tolerance=0.01} ready",
                        "9 shell manual {role=manual} kubectl apply -k k8s/");
    }

    @Test
    void pagePortsBecomeFreePorts() throws Exception {
        try (PageRun run = new PageRun(Path.of("."), Path.of("target/run-blocks/unit"))) {
            String port = run.withPorts("localhost:8080");
            assertThat(List.of(run.withPorts("curl localhost:8080/x; PORT=8080"), run.withPorts("localhost:18080 v8080")))
                    .containsExactly("curl " + port + "/x; PORT=" + port.substring("localhost:".length()), "localhost:18080 v8080");
        }
    }
}
