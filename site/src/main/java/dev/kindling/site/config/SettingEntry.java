package dev.kindling.site.config;

import dev.kindling.config.Setting;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Objects;

/**
 * One {@code public static final Setting} constant as the reference shows it.
 *
 * <pre>{@code
 * SettingEntry port = SettingEntry.of(ServiceSettings.class.getField("PORT"));
 * port.type();          // "integer"
 * port.defaultText();   // "8080"
 * port.envNames();      // "PORT", also "KINDLING_HTTP_PORT"
 * }</pre>
 *
 * @param field    the constant's name in its class ({@code PORT})
 * @param setting  the constant's value
 * @param type     the value type in words: text, secret, integer, long integer, boolean, duration
 */
public record SettingEntry(String field, Setting<?> setting, String type) {
    public SettingEntry {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(type, "type");
    }

    /** The entry of a static {@code Setting} field (read once; initialises its class). */
    public static SettingEntry of(Field f) {
        try {
            f.setAccessible(true);
            Setting<?> s = (Setting<?>) f.get(null);
            return new SettingEntry(f.getName(), s, typeOf(f.getGenericType(), s));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
    }

    private static String typeOf(Type generic, Setting<?> s) {
        if (s.isSecret()) {
            return "secret";
        }
        Type arg = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        if (arg == Object.class || !(arg instanceof Class<?>)) {
            Object d = s.defaultValue();
            arg = d == null ? String.class : d.getClass();
        }
        if (arg == String.class) {
            return "text";
        }
        if (arg == Integer.class) {
            return "integer";
        }
        if (arg == Long.class) {
            return "long integer";
        }
        if (arg == Boolean.class) {
            return "boolean";
        }
        if (arg == Duration.class) {
            return "duration";
        }
        return ((Class<?>) arg).getSimpleName();
    }

    /** The setting's name: also its system property and its key in the {@code KINDLING_CONFIG} file. */
    public String name() {
        return setting.name();
    }

    /** The default as it would be written in a setting: {@code 30s}, {@code 8080}; "(unset)" or "(none)" for a secret. */
    public String defaultText() {
        if (setting.isSecret()) {
            return "(none)";
        }
        Object d = setting.defaultValue();
        if (d == null) {
            return "(unset)";
        }
        if (d instanceof Duration duration) {
            return Setting.formatDuration(duration);
        }
        return d.toString().isEmpty() ? "(empty)" : d.toString();
    }

    /** The environment variable, and the one derived from the name when the setting reads another first. */
    public String envNames() {
        String derived = Setting.envNameOf(setting.name());
        String names = setting.env().equals(derived) ? setting.env() : setting.env() + ", also " + derived;
        return setting.isSecret() ? names + "; or a file named by " + setting.env() + "_FILE" : names;
    }

    /** The allowed values in words; empty when any text is allowed. */
    public String allowedText() {
        String a = setting.allowed();
        return a.equals("any text") || setting.isSecret() ? "" : a;
    }
}
