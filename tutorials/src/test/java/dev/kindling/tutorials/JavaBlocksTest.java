package dev.kindling.tutorials;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No Java is pasted into a page: every {@code [source,java]} block of the tutorials and of {@code docs/} holds only
 * {@code include::FILE[tag=NAME]} lines, and each names a file that is there with that tag in it. The attributes
 * the pages use for folders are the site's: {@code {examples}}, {@code {tutorials}}, {@code {patterns}},
 * {@code {rootdir}}.
 */
class JavaBlocksTest {
    private static final Path ROOT = Path.of(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();
    private static final Pattern INCLUDE = Pattern.compile("include::([^\\[]+)\\[(?:.*,)?tags?=([^,\\]]+).*\\]");
    private static final Map<String, Path> FOLDERS = Map.of("{examples}", ROOT.resolve("examples"),
            "{tutorials}", ROOT.resolve("tutorials"), "{patterns}", ROOT, "{rootdir}", ROOT);

    static List<Path> pages() {
        return Stream.concat(AdocBlocks.pages(ROOT.resolve("tutorials/src/docs/asciidoc")).stream(),
                AdocBlocks.pages(ROOT.resolve("docs")).stream()).toList();
    }

    @Test
    void everyJavaBlockIsAnIncludeOfATagThatExists() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path page : pages()) {
            for (AdocBlocks.Block b : AdocBlocks.read(page)) {
                if (b.language().equals("java")) {
                    problems.addAll(problems(b));
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void aPastedJavaBlockIsFound() {
        List<AdocBlocks.Block> blocks = AdocBlocks.parse(Path.of("page.adoc"), List.of(
                "= Page", "", "[source,java]", "----", "include::{examples}/sparkpi/pom.xml[tag=none]", "----", "",
                "[source,java]", "----", "var x = 1;", "----"));
        assertThat(blocks.stream().map(b -> b.line() + " " + problems(b)).toList()).containsExactly(
                "3 [page.adoc:3: no tag 'none' in " + ROOT.resolve("examples/sparkpi/pom.xml") + "]",
                "8 [page.adoc:8: Java must come by include::FILE[tag=NAME] from compiled, tested sources, not inline: 'var x = 1;']");
    }

    private static List<String> problems(AdocBlocks.Block b) {
        List<String> out = new ArrayList<>();
        for (String line : b.content().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            Matcher m = INCLUDE.matcher(line);
            if (!m.matches()) {
                out.add(b.where() + ": Java must come by include::FILE[tag=NAME] from compiled, tested sources, not inline: '" + line + "'");
                continue;
            }
            Path file = resolve(m.group(1));
            try {
                if (!Files.isRegularFile(file)) {
                    out.add(b.where() + ": no file " + file);
                } else {
                    String text = Files.readString(file);
                    for (String tag : m.group(2).split(";")) {
                        if (!text.contains("tag::" + tag + "[]") || !text.contains("end::" + tag + "[]")) {
                            out.add(b.where() + ": no tag '" + tag + "' in " + file);
                        }
                    }
                }
            } catch (IOException e) {
                out.add(b.where() + ": cannot read " + file + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Path resolve(String target) {
        for (Map.Entry<String, Path> f : FOLDERS.entrySet()) {
            if (target.startsWith(f.getKey())) {
                return f.getValue().resolve(target.substring(f.getKey().length()).replaceFirst("^/", ""));
            }
        }
        return ROOT.resolve(target);
    }
}
