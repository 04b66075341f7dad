package dev.kindling.tutorials;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code [source,shell,role=run]} block of the tutorials ({@code tutorials/src/docs/asciidoc/*.adoc}) and
 * of {@code docs/*.adoc}, page by page in page order, with bash from the project root, and checks each
 * {@code [source,text,role=output]} block that follows one against what it printed ({@link ExpectedOutput}; a
 * {@code tolerance=} attribute on the output block allows for numbers). Every service a page started is stopped at
 * the end of the page, also when a block failed ({@link PageRun}); a run block with the attribute {@code finally=true} (such
 * as {@code bin/spark-cluster stop}) runs at the end of its page whatever happened before. {@code role=manual} blocks are not run: they are
 * listed in the report, {@code target/run-blocks-report.txt}.
 *
 * <pre>
 * mvn -B -o -pl tutorials verify -Dit.test=RunBlocksIT                          # every page
 * mvn -B -o -pl tutorials verify -Dit.test=RunBlocksIT -Drunblocks.pages=01-   # the pages whose name has "01-"
 * </pre>
 */
class RunBlocksIT {
    private static final Path ROOT = Path.of(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();
    private static final Path TARGET = ROOT.resolve("tutorials/target");
    private static final List<String> REPORT = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> everyCommandOfEveryPage() {
        String only = System.getProperty("runblocks.pages", "");
        List<Path> pages = Stream.concat(AdocBlocks.pages(ROOT.resolve("tutorials/src/docs/asciidoc")).stream(),
                        AdocBlocks.pages(ROOT.resolve("docs")).stream())
                .filter(p -> only.isBlank() || Arrays.stream(only.split(",")).anyMatch(o -> p.getFileName().toString().contains(o.trim())))
                .toList();
        assertThat(pages).as("pages under %s", ROOT).isNotEmpty();
        return pages.stream().map(p -> DynamicTest.dynamicTest(ROOT.relativize(p).toString(), () -> runPage(p)));
    }

    @AfterAll
    static void writeReport() throws IOException {
        Files.createDirectories(TARGET);
        Files.write(TARGET.resolve("run-blocks-report.txt"), REPORT);
        System.out.println(String.join("\n", REPORT));
    }

    private static void runPage(Path page) throws Exception {
        List<AdocBlocks.Block> blocks = AdocBlocks.read(page);
        String name = ROOT.relativize(page).toString();
        int ran = 0;
        int checked = 0;
        List<String> manual = new ArrayList<>(blocks.stream().filter(b -> b.role().equals("manual"))
                .map(b -> "  manual " + name + ":" + b.line() + ": " + PageRun.firstLine(b)).toList());
        List<String> notes = new ArrayList<>();
        String outcome = "FAILED";
        String lastOutput = null;
        AdocBlocks.Block lastRun = null;
        PageRun run = new PageRun(ROOT, TARGET.resolve("run-blocks").resolve(page.getFileName().toString()));
        try {
            for (AdocBlocks.Block b : blocks) {
                if (b.is("shell", "run") && b.attributes().containsKey("finally")) {
                    continue; // run at the end of the page, below, even when a block failed
                } else if (b.is("shell", "run")) {
                    lastOutput = run.run(b);
                    lastRun = b;
                    ran++;
                } else if (b.is("text", "output")) {
                    assertThat(lastRun).as("%s: an output block must follow a run block", b.where()).isNotNull();
                    double tolerance = Double.parseDouble(b.attributes().getOrDefault("tolerance", "0"));
                    Optional<String> mismatch = new ExpectedOutput(run.withPorts(b.content()), tolerance).mismatch(lastOutput);
                    if (mismatch.isPresent()) {
                        throw new AssertionError(b.where() + ": the output of the command at line " + lastRun.line() + " does not match: "
                                + mismatch.get() + "\nactual output:\n" + PageRun.tail(lastOutput));
                    }
                    lastRun = null;
                    checked++;
                }
            }
            outcome = "passed";
        } finally {
            for (AdocBlocks.Block b : blocks) {
                if (b.is("shell", "run") && b.attributes().containsKey("finally")) {
                    try {
                        run.run(b);
                        ran++;
                    } catch (AssertionError e) {
                        notes.add("  FAILED at the end of the page: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                }
            }
            run.close();
            REPORT.add(name + ": " + outcome + ", " + ran + " commands run, " + checked + " outputs checked, " + manual.size() + " manual");
            REPORT.addAll(manual);
            REPORT.addAll(notes);
        }
    }
}
