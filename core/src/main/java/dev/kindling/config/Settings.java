package dev.kindling.config;

import dev.kindling.ipp.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where settings come from, with one documented precedence, highest first:
 *
 * <ol>
 *   <li>a Java system property with the setting's name ({@code -Dkindling.http.port=9000});</li>
 *   <li>the setting's environment variable ({@code PORT=9000}, {@code KINDLING_HTTP_PORT=9000});
 *       for a secret also {@code NAME_FILE}, a file holding the value;</li>
 *   <li>the properties file named by {@code -Dkindling.config} or {@code KINDLING_CONFIG};</li>
 *   <li>the setting's default.</li>
 * </ol>
 *
 * <pre>{@code
 * Settings settings = Settings.fromEnvironment();
 * int port = settings.get(ControlPlaneSettings.PORT);
 * Settings forTest = Settings.of(Map.of("kindling.http.port", "0"));
 * }</pre>
 *
 * <p>Immutable and thread-safe; the environment is read once, when the instance is made.
 */
public final class Settings {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Map<String, String> file;
    private final String fileName;

    private Settings(Map<String, String> systemProperties, Map<String, String> environment,
                     Map<String, String> file, String fileName) {
        this.systemProperties = Map.copyOf(systemProperties);
        this.environment = Map.copyOf(environment);
        this.file = Map.copyOf(file);
        this.fileName = fileName;
    }

    /** The process's system properties, environment and optional properties file. */
    public static Settings fromEnvironment() {
        return from(propertiesAsMap(System.getProperties()), System.getenv());
    }

    /** Settings from explicit maps, as {@link #fromEnvironment()} would see them; for tests and embedding. */
    public static Settings from(Map<String, String> systemProperties, Map<String, String> environment) {
        String fileName = systemProperties.getOrDefault("kindling.config", environment.get("KINDLING_CONFIG"));
        Map<String, String> file = Map.of();
        if (fileName != null && !fileName.isBlank()) {
            file = load(Path.of(fileName));
        }
        return new Settings(systemProperties, environment, file, fileName);
    }

    /** Settings given by name only (as if they were system properties); nothing is read from the environment. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values, Map.of(), Map.of(), null);
    }

    /** A copy in which {@code overrides} (by setting name) take precedence over everything else. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(systemProperties);
        merged.putAll(overrides);
        return new Settings(merged, environment, file, fileName);
    }

    /** The value of {@code setting} by the precedence above; its default (maybe null) when unset. */
    public <T> T get(Setting<T> setting) {
        String name = setting.name();
        if (systemProperties.containsKey(name)) {
            return setting.parse(systemProperties.get(name), "system property " + name);
        }
        String env = setting.env();
        if (environment.containsKey(env)) {
            return setting.parse(environment.get(env), "environment variable " + env);
        }
        String derived = Setting.envNameOf(name);
        if (!derived.equals(env) && environment.containsKey(derived)) {
            return setting.parse(environment.get(derived), "environment variable " + derived);
        }
        if (setting.isSecret()) {
            String fileVar = environment.containsKey(env + "_FILE") ? env + "_FILE" : null;
            String secretFile = fileVar != null ? environment.get(fileVar) : systemProperties.get(name + ".file");
            if (secretFile != null) {
                return setting.parse(readSecretFile(Path.of(secretFile), name), "file " + secretFile);
            }
        }
        if (file.containsKey(name)) {
            return setting.parse(file.get(name), "file " + fileName);
        }
        return setting.defaultValue();
    }

    /**
     * The value of {@code setting}, which must be set (or have a default).
     *
     * @throws ConfigurationException naming the setting and its environment variable when it is unset or blank
     */
    public <T> T require(Setting<T> setting) {
        requireAll(setting);
        return get(setting);
    }

    /**
     * Checks that every one of {@code settings} is set (or has a default).
     *
     * @throws ConfigurationException listing all that are unset or blank, each with its environment variable
     */
    public void requireAll(Setting<?>... settings) {
        List<String> missing = new ArrayList<>();
        for (Setting<?> s : settings) {
            Object v = get(s);
            if (v == null || v instanceof String text && text.isBlank()) {
                missing.add(s.name() + " (environment " + s.env() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigurationException((missing.size() == 1 ? "a required setting is missing: " : "required settings are missing: ")
                    + String.join(", ", missing));
        }
    }

    /** The raw text of a setting name from system properties, the environment (derived name) or the file. */
    public Optional<String> raw(String name) {
        if (systemProperties.containsKey(name)) {
            return Optional.of(systemProperties.get(name));
        }
        String env = Setting.envNameOf(name);
        if (environment.containsKey(env)) {
            return Optional.of(environment.get(env));
        }
        return Optional.ofNullable(file.get(name));
    }

    /** The system-property entries whose names start with {@code prefix}. */
    public Map<String, String> systemPropertiesWithPrefix(String prefix) {
        return filter(systemProperties, prefix);
    }

    /** The settings-file entries whose names start with {@code prefix}. */
    public Map<String, String> fileWithPrefix(String prefix) {
        return filter(file, prefix);
    }

    private static Map<String, String> filter(Map<String, String> source, String prefix) {
        Map<String, String> out = new HashMap<>();
        source.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * The environment variables whose names start with {@code prefix} ({@code KINDLING_ONDEMAND_SCHEDULE_}),
     * by name; for settings whose names are open-ended, such as one per job.
     */
    public Map<String, String> environmentWithPrefix(String prefix) {
        return filter(environment, prefix);
    }

    /** An environment variable as this instance sees it. */
    public Optional<String> env(String name) {
        return Optional.ofNullable(environment.get(name));
    }

    /**
     * A Markdown reference table of the {@code public static final Setting} constants of the given
     * classes: name, environment variable, default, allowed values, description.
     */
    public static String describe(Class<?>... holders) {
        StringBuilder out = new StringBuilder("| setting | environment | default | allowed | description |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (Setting<?> s : settingsOf(holders)) {
            Object def = s.isSecret() ? "(none)" : s.defaultValue() == null ? "(unset)" : s.defaultValue();
            out.append("| `").append(s.name()).append("` | `").append(s.env()).append("` | ").append(def)
                    .append(" | ").append(s.allowed()).append(" | ").append(s.doc()).append(" |\n");
        }
        return out.toString();
    }

    /** The {@code public static final Setting} constants declared by the given classes. */
    public static List<Setting<?>> settingsOf(Class<?>... holders) {
        List<Setting<?>> out = new ArrayList<>();
        for (Class<?> holder : holders) {
            for (Field f : holder.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isPublic(m) && Setting.class.isAssignableFrom(f.getType())) {
                    try {
                        out.add((Setting<?>) f.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, String> load(Path path) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read the settings file " + path + " (named by kindling.config / "
                    + "KINDLING_CONFIG): " + e.getMessage(), e);
        }
        return propertiesAsMap(p);
    }

    private static String readSecretFile(Path path, String name) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigurationException("cannot read the file holding secret " + name + ": " + path, e);
        }
    }

    static Map<String, String> propertiesAsMap(Properties p) {
        Map<String, String> out = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k, p.getProperty(k));
        }
        return out;
    }
}
