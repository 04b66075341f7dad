package dev.kindling.site;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The lists of pages the site takes from other folders as they are in the checkout: the tutorials
 * ({@code tutorials/src/docs/asciidoc/*.adoc}) and the guides of {@code docs/} (the deployment guide),
 * each with its title and description, in file-name order. A folder that is not there yet gives a
 * line saying so, and the site still builds.
 *
 * <pre>{@code
 * List<TutorialIndex.Page> tutorials = TutorialIndex.pages(root.resolve("tutorials/src/docs/asciidoc"), "tutorials");
 * String adoc = TutorialIndex.render(tutorials, "No tutorial is in this checkout yet.");
 * }</pre>
 */
public final class TutorialIndex {
    private TutorialIndex() {
    }

    /**
     * A page: its link from the site's root, its title and its {@code :description:}.
     *
     * @param link        the HTML page, relative to the site's root
     * @param title       the document title ({@code = Title})
     * @param description the {@code :description:} attribute, or empty
     */
    public record Page(String link, String title, String description) {
    }

    /** The pages of {@code folder} (top level, not partials starting with {@code _}), their HTML under {@code outputFolder}. */
    public static List<Page> pages(Path folder, String outputFolder) {
        List<Page> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".adoc") && !f.getFileName().toString().startsWith("_"))
                    .sorted().toList()) {
                String name = p.getFileName().toString();
                List<String> lines = Files.readAllLines(p);
                String title = lines.stream().filter(l -> l.startsWith("= ")).findFirst().map(l -> l.substring(2).trim()).orElse(name);
                String description = lines.stream().filter(l -> l.startsWith(":description:")).findFirst()
                        .map(l -> l.substring(":description:".length()).trim()).orElse("");
                out.add(new Page(outputFolder + "/" + name.substring(0, name.length() - ".adoc".length()) + ".html", title, description));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        return out;
    }

    /** An AsciiDoc list of links to {@code pages}, or {@code whenNone} as a note. */
    public static String render(List<Page> pages, String whenNone) {
        if (pages.isEmpty()) {
            return "NOTE: " + Adoc.text(whenNone) + "\n";
        }
        StringBuilder out = new StringBuilder();
        for (Page p : pages) {
            out.append(". link:").append(p.link()).append("[").append(p.title().replace("]", "\\]")).append("]");
            if (!p.description().isEmpty()) {
                out.append(" +\n").append(Adoc.text(p.description()));
            }
            out.append("\n");
        }
        return out.toString();
    }
}
