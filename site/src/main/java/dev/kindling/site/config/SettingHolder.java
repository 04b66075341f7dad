package dev.kindling.site.config;

import dev.kindling.site.SourceTree;
import java.util.List;
import java.util.Objects;

/**
 * A class that declares settings, with where it comes from.
 *
 * <pre>{@code
 * SettingHolder h = new SettingHolder(ServiceSettings.class, module, "The settings every KindlingService reads.",
 *         SettingScanner.settingsOf(ServiceSettings.class), SettingScanner.prefixesOf(ServiceSettings.class));
 * }</pre>
 *
 * @param type      the class
 * @param module    its module in the source tree
 * @param summary   the first sentence of its javadoc
 * @param settings  its {@code public static final Setting} constants, in declaration order
 * @param prefixes  its {@code public static final String ..._PREFIX} constants: families of settings such as one per job
 */
public record SettingHolder(Class<?> type, SourceTree.Module module, String summary, List<SettingEntry> settings,
                            List<Prefix> prefixes) {
    /** A family of settings named {@code value + <name>}, declared as the constant {@code field}. */
    public record Prefix(String field, String value) {
    }

    public SettingHolder {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(module, "module");
        summary = summary == null ? "" : summary;
        settings = List.copyOf(settings);
        prefixes = List.copyOf(prefixes);
    }

    /** The javadoc page of the class relative to the site's root, when it is in the aggregated javadoc. */
    public String javadocPath() {
        if (!module.inJavadoc() || type.getPackageName().contains(".internal")) {
            return null;
        }
        return "apidocs/" + type.getName().replace('.', '/') + ".html";
    }
}
