package dev.kindling.tutorials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The delimited source blocks of an AsciiDoc page, in page order: the attribute line ({@code [source,shell,role=run]}),
 * the content between the {@code ----} lines, and where it starts.
 *
 * <pre>{@code
 * List<AdocBlocks.Block> blocks = AdocBlocks.read(Path.of("tutorials/src/docs/asciidoc/01-first-service.adoc"));
 * blocks.stream().filter(b -> b.is("shell", "run")).forEach(b -> System.out.println(b.content()));
 * }</pre>
 *
 * <p>Only {@code [source,...]} blocks count; a block's roles are its {@code role=} value and its {@code .role}
 * shorthands. Other attributes ({@code tolerance=0.01}, {@code timeout=120}) are kept by name.
 */
public final class AdocBlocks {
    private AdocBlocks() {
    }

    /**
     * A source block.
     *
     * @param file       the page it is on
     * @param line       the line of its attribute list, from 1
     * @param language   the source language ({@code shell}, {@code text}, {@code java}), or empty
     * @param role       its role ({@code run}, {@code output}, {@code manual}), or empty
     * @param attributes its named attributes
     * @param content    the lines between the delimiters, joined with {@code \n}
     */
    public record Block(Path file, int line, String language, String role, Map<String, String> attributes, String content) {
        /** True when the language and the role are these. */
        public boolean is(String language, String role) {
            return this.language.equals(language) && this.role.equals(role);
        }

        /** {@code file:line}, for messages. */
        public String where() {
            return file + ":" + line;
        }
    }

    /** The source blocks of {@code page}. */
    public static List<Block> read(Path page) {
        try {
            return parse(page, Files.readAllLines(page));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + page, e);
        }
    }

    /** The source blocks of a page's lines. */
    public static List<Block> parse(Path page, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String head = lines.get(i).trim();
            if (!head.startsWith("[source") || !head.endsWith("]")) {
                continue;
            }
            int open = i + 1;
            while (open < lines.size() && lines.get(open).startsWith(".")) {
                open++; // a block title
            }
            if (open >= lines.size() || !isDelimiter(lines.get(open))) {
                continue;
            }
            String delimiter = lines.get(open).trim();
            int close = open + 1;
            while (close < lines.size() && !lines.get(close).trim().equals(delimiter)) {
                close++;
            }
            blocks.add(block(page, i + 1, head.substring(1, head.length() - 1), lines.subList(open + 1, Math.min(close, lines.size()))));
            i = close;
        }
        return blocks;
    }

    /** The {@code .adoc} pages directly in {@code folder}, by name; none when it is not there. */
    public static List<Path> pages(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".adoc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private static boolean isDelimiter(String line) {
        String t = line.trim();
        return t.length() >= 4 && (t.chars().allMatch(c -> c == '-') || t.chars().allMatch(c -> c == '.'));
    }

    private static Block block(Path page, int line, String attributeList, List<String> content) {
        String language = "";
        String role = "";
        Map<String, String> named = new LinkedHashMap<>();
        String[] parts = attributeList.split(",");
        for (int p = 0; p < parts.length; p++) {
            String part = parts[p].trim();
            if (p == 0) {
                int dot = part.indexOf('.');
                if (dot >= 0) {
                    role = part.substring(dot + 1); // [source.run,shell]
                }
                continue;
            }
            int eq = part.indexOf('=');
            if (eq > 0) {
                String value = part.substring(eq + 1).trim().replaceAll("^\"|\"$", "");
                named.put(part.substring(0, eq).trim(), value);
            } else if (p == 1) {
                language = part;
            }
        }
        if (named.containsKey("role")) {
            role = named.get("role");
        }
        return new Block(page, line, language, role, named, String.join("\n", content));
    }
}
