package dev.kindling.site;

import java.util.Locale;

/**
 * Writes text from the code (setting docs, route summaries, captured bodies) into generated AsciiDoc
 * so that it reaches the page exactly as written: no attribute references, no formatting marks, no
 * cell separators.
 *
 * <pre>{@code
 * String cell = "| " + Adoc.text("POST /jobs/{name} with *any* body");   // shown as written
 * String id = Adoc.id("setting", "kindling.http.port");                  // setting-kindling-http-port
 * }</pre>
 */
public final class Adoc {
    private Adoc() {
    }

    /** {@code text} as an inline passthrough with only HTML's special characters replaced; safe in a table cell. */
    public static String text(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String escaped = text.replace("\\", "\\\\").replace("]", "\\]").replace("|", "\\|").replace("\n", " ");
        return "pass:c[" + escaped + "]";
    }

    /** {@code text} in monospace, as written (a passthrough inside unconstrained backticks). */
    public static String code(String text) {
        return "``" + text(text) + "``";
    }

    /** An id made of lower-case letters, digits and dashes, with a prefix: {@code id("setting", "kindling.http.port")}. */
    public static String id(String prefix, String name) {
        String body = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return prefix + "-" + body;
    }

    /** A listing block of literal text (captured bodies): delimited so that nothing inside is interpreted. */
    public static String listing(String style, String role, String content) {
        String fence = "----";
        while (content.contains("\n" + fence + "\n") || content.startsWith(fence + "\n") || content.endsWith("\n" + fence)) {
            fence += "-";
        }
        String body = content.endsWith("\n") ? content : content + "\n";
        return "[" + style + (role == null ? "" : ",role=" + role) + "]\n" + fence + "\n" + body + fence + "\n";
    }
}
