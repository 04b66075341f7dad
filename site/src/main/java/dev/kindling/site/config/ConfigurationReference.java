package dev.kindling.site.config;

import dev.kindling.config.Setting;
import dev.kindling.site.Adoc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration reference as AsciiDoc, written from the settings the code declares: one
 * section per module, one table per class, one row per setting (name, environment variable, type
 * and allowed values, default, description), then an index by environment variable.
 *
 * <pre>{@code
 * String adoc = ConfigurationReference.render(new SettingScanner(tree).scan(SettingScanner.classPath()));
 * }</pre>
 */
public final class ConfigurationReference {
    private ConfigurationReference() {
    }

    /** The anchor of a setting in the reference page: {@code setting-kindling-http-port}. */
    public static String anchorOf(String settingName) {
        return Adoc.id("setting", settingName);
    }

    /** The anchor of a holder class's section: {@code settings-servicesettings} (the class's simple name). */
    public static String anchorOfHolder(Class<?> holder) {
        return Adoc.id("settings", holder.getName().substring(holder.getPackageName().length() + 1));
    }

    public static String render(List<SettingHolder> holders) {
        Map<SettingEntry, String> anchors = anchors(holders);
        StringBuilder out = new StringBuilder();
        int count = holders.stream().mapToInt(h -> h.settings().size()).sum();
        Map<String, List<SettingHolder>> byModule = new LinkedHashMap<>();
        holders.forEach(h -> byModule.computeIfAbsent(h.module().artifactId(), k -> new ArrayList<>()).add(h));
        out.append("This reference lists ").append(count).append(" settings declared by ").append(holders.size())
                .append(" classes in ").append(byModule.size()).append(" modules.\n\n");
        byModule.forEach((artifact, list) -> {
            out.append("[#").append(Adoc.id("module", artifact)).append("]\n== ").append(artifact).append("\n\n");
            out.append("Module folder ").append(Adoc.code(list.get(0).module().folder() + "/")).append(".\n\n");
            list.forEach(h -> holder(out, h, anchors));
        });
        envIndex(out, holders, anchors);
        return out.toString();
    }

    /**
     * The anchor of each entry: {@link #anchorOf} of its name, or, when an earlier class declares the same name (two
     * examples reading {@code kindling.embedded}), that anchor qualified by the class's simple name.
     */
    public static Map<SettingEntry, String> anchors(List<SettingHolder> holders) {
        Map<SettingEntry, String> out = new java.util.IdentityHashMap<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (SettingHolder h : holders) {
            for (SettingEntry e : h.settings()) {
                String plain = anchorOf(e.name());
                out.put(e, used.add(plain) ? plain : Adoc.id("setting", h.type().getSimpleName() + "-" + e.name()));
            }
        }
        return out;
    }

    private static void holder(StringBuilder out, SettingHolder h, Map<SettingEntry, String> anchors) {
        out.append("[#").append(anchorOfHolder(h.type())).append("]\n=== ").append(h.type().getSimpleName()).append("\n\n");
        out.append(Adoc.code(h.type().getName()));
        if (h.javadocPath() != null) {
            out.append(" (link:").append(h.javadocPath()).append("[javadoc])");
        }
        out.append(h.summary().isEmpty() ? ".\n\n" : ": " + Adoc.text(h.summary()) + "\n\n");
        out.append("[cols=\"5,3,2,7\",options=\"header\"]\n|===\n| Setting and environment variable | Type and allowed values "
                + "| Default | Description\n\n");
        for (SettingEntry e : h.settings()) {
            out.append("| [[").append(anchors.get(e)).append("]]").append(Adoc.code(e.name())).append(" +\n")
                    .append(envCell(e)).append("\n");
            out.append("| ").append(e.type()).append(e.allowedText().isEmpty() ? "" : ": " + Adoc.text(e.allowedText())).append("\n");
            out.append("| ").append(Adoc.code(e.defaultText())).append("\n");
            out.append("| ").append(Adoc.text(e.setting().doc())).append("\n\n");
        }
        out.append("|===\n\n");
        for (SettingHolder.Prefix p : h.prefixes()) {
            String env = Setting.envNameOf(p.value());
            out.append("[[").append(Adoc.id("setting", p.value() + "name")).append("]]");
            out.append("Also a family of settings, one per name: ").append(Adoc.code(p.value() + "<name>"))
                    .append(" (environment ").append(Adoc.code(env + "<NAME>")).append("), declared by ")
                    .append(Adoc.code(h.type().getSimpleName() + "." + p.field()));
            if (h.javadocPath() != null) {
                out.append(" (link:").append(h.javadocPath()).append("#").append(p.field()).append("[javadoc])");
            }
            out.append(".\n\n");
        }
    }

    private static String envCell(SettingEntry e) {
        String[] parts = e.envNames().split(", also |; or a file named by ");
        StringBuilder cell = new StringBuilder("env ").append(Adoc.code(parts[0]));
        if (e.envNames().contains(", also ")) {
            cell.append(" or ").append(Adoc.code(parts[1]));
        }
        if (e.setting().isSecret()) {
            cell.append("; a file named by ").append(Adoc.code(e.setting().env() + "_FILE"));
        }
        return cell.toString();
    }

    private static void envIndex(StringBuilder out, List<SettingHolder> holders, Map<SettingEntry, String> anchors) {
        out.append("[#environment-index]\n== By environment variable\n\n");
        out.append("[cols=\"1,1,1\",options=\"header\"]\n|===\n| Environment variable | Setting | Declared by\n\n");
        List<String[]> rows = new ArrayList<>();
        for (SettingHolder h : holders) {
            for (SettingEntry e : h.settings()) {
                rows.add(new String[] {e.setting().env(), e.name(), h.type().getSimpleName(), anchorOfHolder(h.type()), anchors.get(e)});
            }
        }
        rows.sort(Comparator.comparing((String[] r) -> r[0]).thenComparing(r -> r[1]));
        for (String[] r : rows) {
            out.append("| ").append(Adoc.code(r[0])).append("\n| <<").append(r[4]).append(",").append(r[1])
                    .append(">>\n| <<").append(r[3]).append(",").append(r[2]).append(">>\n\n");
        }
        out.append("|===\n");
    }
}
