package dev.kindling.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Dockerfile as a list of instructions: comments and blank lines dropped, continuation lines joined,
 * an unknown instruction refused. Enough to check the rules the project's images follow, since no
 * Dockerfile linter runs in the build (see {@link DockerfileTest}).
 *
 * <pre>{@code
 * Dockerfile f = Dockerfile.read(Path.of("examples/etl/Dockerfile"));
 * f.all("FROM");                        // [apache/spark:4.2.0-scala2.13-java17-ubuntu]
 * f.execForm("ENTRYPOINT");             // [/opt/entrypoint.sh]
 * }</pre>
 *
 * @param instructions each instruction as {@code NAME arguments}
 */
record Dockerfile(Path file, List<Instruction> instructions) {
    static final Set<String> KNOWN = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
            "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

    record Instruction(String name, String arguments) {
    }

    static Dockerfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String t = line.strip();
            if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            out.add(instruction(current.toString(), file));
            current.setLength(0);
        }
        if (!current.isEmpty()) {
            throw new AssertionError(file + ": the last instruction ends with a line continuation");
        }
        return new Dockerfile(file, out);
    }

    private static Instruction instruction(String text, Path file) {
        int space = text.indexOf(' ');
        String name = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        if (!KNOWN.contains(name)) {
            throw new AssertionError(file + ": unknown instruction " + name);
        }
        return new Instruction(name, space < 0 ? "" : text.substring(space + 1).strip().replaceAll("\\s+", " "));
    }

    /** The arguments of every instruction with this name, in order. */
    List<String> all(String name) {
        return instructions.stream().filter(i -> i.name().equals(name)).map(Instruction::arguments).toList();
    }

    /** The last instruction with this name (the one that counts for USER, ENTRYPOINT, CMD, HEALTHCHECK). */
    String last(String name) {
        List<String> found = all(name);
        if (found.isEmpty()) {
            throw new AssertionError(file + ": no " + name);
        }
        return found.get(found.size() - 1);
    }

    /** The last instruction with this name in exec (JSON array) form; fails on the shell form. */
    List<String> execForm(String name) {
        return execForm(last(name), name);
    }

    List<String> execForm(String json, String what) {
        if (!json.startsWith("[")) {
            throw new AssertionError(file + ": " + what + " is in shell form, not exec form: " + json);
        }
        try {
            return new ObjectMapper().readValue(json, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new AssertionError(file + ": " + what + " is not a JSON array: " + json, e);
        }
    }
}
