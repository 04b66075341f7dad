package dev.kindling.site;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's source tree as the site sees it: its modules (folders with a {@code pom.xml} and
 * {@code src/main/java}), where a class's source is, its module's artifact and the first sentence of
 * its javadoc.
 *
 * <pre>{@code
 * SourceTree tree = new SourceTree(Path.of(".."));
 * Optional<SourceTree.Module> core = tree.moduleOf("dev.kindling.service.ServiceSettings");  // core, kindling-core
 * String summary = tree.summaryOf("dev.kindling.service.ServiceSettings");                 // "The settings every ..."
 * }</pre>
 */
public final class SourceTree {
    /** The library modules whose public API is in the aggregated javadoc. */
    public static final List<String> JAVADOC_MODULES = List.of("core", "testkit", "patterns-ondemand", "patterns-continuous",
            "patterns-streaming");
    private static final Pattern ARTIFACT = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>", Pattern.DOTALL);
    private static final Pattern DECLARATION = Pattern.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|record|enum)\\s");

    /** A module: its folder relative to the root ({@code core}, {@code examples/sparkpi}) and artifact id. */
    public record Module(String folder, String artifactId) {
        /** True when the module's public classes are in the aggregated javadoc. */
        public boolean inJavadoc() {
            return JAVADOC_MODULES.contains(folder);
        }
    }

    private final Path root;
    private final List<Module> modules;

    public SourceTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.modules = findModules(this.root);
    }

    public Path root() {
        return root;
    }

    /** The modules with main Java sources, core first, then the patterns, then the rest by folder. */
    public List<Module> modules() {
        return modules;
    }

    /** The source file of a top-level class, when it is in one of the modules. */
    public Optional<Path> sourceOf(String className) {
        String relative = className.replace('.', '/') + ".java";
        for (Module m : modules) {
            Path p = root.resolve(m.folder()).resolve("src/main/java").resolve(relative);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The module that holds a class's source. */
    public Optional<Module> moduleOf(String className) {
        String relative = className.replace('.', '/') + ".java";
        return modules.stream().filter(m -> Files.isRegularFile(root.resolve(m.folder()).resolve("src/main/java").resolve(relative)))
                .findFirst();
    }

    /** The first sentence of the class's javadoc, tags reduced to their text; empty when there is none. */
    public String summaryOf(String className) {
        return sourceOf(className).map(SourceTree::read).map(SourceTree::firstSentenceOfClassDoc).orElse("");
    }

    static String firstSentenceOfClassDoc(String source) {
        Matcher m = DECLARATION.matcher(source);
        if (!m.find()) {
            return "";
        }
        int close = source.lastIndexOf("*/", m.start());
        int open = close < 0 ? -1 : source.lastIndexOf("/**", close);
        if (open < 0 || !source.substring(close + 2, m.start()).replaceAll("@\\w+(\\([^)]*\\))?", "").isBlank()) {
            return "";
        }
        String doc = source.substring(open + 3, close); // the doc comment right before the declaration: the class's own
        String text = doc.replaceAll("(?m)^\\s*\\*\\s?", " ").replaceAll("(?s)<pre>.*", "")
                .replaceAll("\\{@(?:code|link|linkplain|literal)\\s+([^}]*)}", "$1").replaceAll("<[^>]+>", "")
                .replaceAll("\\s+", " ").trim();
        int end = text.indexOf(". ");
        String sentence = end < 0 ? text : text.substring(0, end + 1);
        return sentence.endsWith(".") || sentence.isEmpty() ? sentence : sentence + ".";
    }

    private static List<Module> findModules(Path root) {
        List<Module> found = new ArrayList<>();
        try (Stream<Path> poms = Files.walk(root, 3)) {
            poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .map(Path::getParent)
                    .filter(dir -> Files.isDirectory(dir.resolve("src/main/java")))
                    .filter(dir -> !root.relativize(dir).toString().contains("target"))
                    .forEach(dir -> found.add(new Module(root.relativize(dir).toString().replace('\\', '/'), artifactOf(dir.resolve("pom.xml")))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the modules under " + root, e);
        }
        found.sort((a, b) -> Integer.compare(rank(a.folder()), rank(b.folder())) != 0
                ? Integer.compare(rank(a.folder()), rank(b.folder())) : a.folder().compareTo(b.folder()));
        return List.copyOf(found);
    }

    private static int rank(String folder) {
        int i = JAVADOC_MODULES.indexOf(folder);
        if (i >= 0) {
            return i;
        }
        return folder.startsWith("examples/") ? 10 : folder.equals("service") ? 9 : 20;
    }

    private static String artifactOf(Path pom) {
        Matcher m = ARTIFACT.matcher(read(pom));
        return m.find() ? m.group(1).trim() : pom.getParent().getFileName().toString();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
