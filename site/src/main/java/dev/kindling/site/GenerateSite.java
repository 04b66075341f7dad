package dev.kindling.site;

import dev.kindling.site.bench.BenchmarkPage;
import dev.kindling.site.config.ConfigurationReference;
import dev.kindling.site.config.SettingHolder;
import dev.kindling.site.config.SettingScanner;
import dev.kindling.site.http.ApiReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the site's generated AsciiDoc fragments, which its pages include: the configuration
 * reference (from the settings on this JVM's class path), the benchmark results (from
 * {@code bench/results/*.json}, with their charts) and the lists of tutorials and deployment guides.
 * Run by the build (exec-maven-plugin) before Asciidoctor.
 *
 * <pre>
 * java -cp SITE_CLASSPATH dev.kindling.site.GenerateSite PROJECT_ROOT GENERATED_FOLDER SITE_OUTPUT
 * </pre>
 */
public final class GenerateSite {
    private GenerateSite() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: GenerateSite PROJECT_ROOT GENERATED_FOLDER SITE_OUTPUT");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path generated = Path.of(args[1]);
        Path output = Path.of(args[2]);
        SourceTree tree = new SourceTree(root);

        List<SettingHolder> holders = new SettingScanner(tree).scan(SettingScanner.classPath());
        write(generated.resolve("configuration.adoc"), ConfigurationReference.render(holders));
        write(generated.resolve("benchmarks.adoc"), new BenchmarkPage(root.resolve("bench"), output).render());
        write(generated.resolve("tutorials.adoc"), TutorialIndex.render(
                TutorialIndex.pages(root.resolve("tutorials/src/docs/asciidoc"), "tutorials"),
                "No tutorial is in this checkout yet: they are being written in tutorials/src/docs/asciidoc."));
        write(generated.resolve("docs.adoc"), TutorialIndex.render(TutorialIndex.pages(root.resolve("docs"), "docs"),
                "The deployment guide (docs/deployment.adoc) is not in this checkout yet."));
        if (!Files.isRegularFile(generated.resolve("http/index.adoc"))) {
            ApiReference.placeholder(generated.resolve("http")); // until HttpCaptureIT writes the captured exchanges
        }
        System.out.printf("site: %d settings in %d classes; benchmark, tutorial and guide lists written to %s%n",
                holders.stream().mapToInt(h -> h.settings().size()).sum(), holders.size(), generated);
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
