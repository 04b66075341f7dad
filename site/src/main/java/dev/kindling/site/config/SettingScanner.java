package dev.kindling.site.config;

import dev.kindling.config.Setting;
import dev.kindling.site.SourceTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds every class of Kindling's modules that declares {@code public static final Setting}
 * constants, on a class path: the jars named {@code kindling-*} and class folders. Only classes
 * whose bytecode names {@code dev/kindling/config/Setting} are loaded, and only a holder is
 * initialised (to read its constants).
 *
 * <pre>{@code
 * List<SettingHolder> holders = new SettingScanner(new SourceTree(root)).scan(SettingScanner.classPath());
 * }</pre>
 */
public final class SettingScanner {
    private static final byte[] MARK = "dev/kindling/config/Setting;".getBytes(StandardCharsets.US_ASCII);

    private final SourceTree tree;
    private final ClassLoader loader;

    public SettingScanner(SourceTree tree) {
        this(tree, SettingScanner.class.getClassLoader());
    }

    public SettingScanner(SourceTree tree, ClassLoader loader) {
        this.tree = tree;
        this.loader = loader;
    }

    /** The entries of this JVM's class path that can hold Kindling's classes (not test classes). */
    public static List<Path> classPath() {
        List<Path> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName() == null ? "" : p.getFileName().toString();
            if (Files.isDirectory(p) && !name.equals("test-classes") || name.startsWith("kindling-") && name.endsWith(".jar")) {
                out.add(p);
            }
        }
        return out;
    }

    /** The holders found on {@code entries}, in the source tree's module order, then by class name. */
    public List<SettingHolder> scan(List<Path> entries) {
        TreeMap<String, Class<?>> candidates = new TreeMap<>();
        for (Path entry : entries) {
            for (String className : classesNamingSetting(entry)) {
                try {
                    candidates.putIfAbsent(className, Class.forName(className, false, loader));
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class whose dependencies are not on this class path declares no setting the site can read
                }
            }
        }
        List<SettingHolder> holders = new ArrayList<>();
        for (Class<?> c : candidates.values()) {
            List<SettingEntry> settings = settingsOf(c);
            if (!settings.isEmpty()) {
                String top = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName();
                SourceTree.Module module = tree.moduleOf(top).orElse(new SourceTree.Module("(class path)", "unknown"));
                holders.add(new SettingHolder(c, module, tree.summaryOf(top), settings, prefixesOf(c)));
            }
        }
        List<String> order = tree.modules().stream().map(SourceTree.Module::folder).toList();
        holders.sort(Comparator.<SettingHolder>comparingInt(h -> order.indexOf(h.module().folder()) < 0 ? Integer.MAX_VALUE
                : order.indexOf(h.module().folder())).thenComparing(h -> h.type().getSimpleName()));
        return holders;
    }

    /** The {@code public static Setting} constants of a class, in declaration order. */
    public static List<SettingEntry> settingsOf(Class<?> c) {
        List<SettingEntry> out = new ArrayList<>();
        Field[] fields;
        try {
            fields = c.getDeclaredFields();
        } catch (LinkageError e) {
            return out;
        }
        for (Field f : fields) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isPublic(m) && Setting.class.isAssignableFrom(f.getType())) {
                out.add(SettingEntry.of(f));
            }
        }
        return out;
    }

    /** The {@code public static final String} constants named {@code *_PREFIX} that hold a setting name's beginning. */
    public static List<SettingHolder.Prefix> prefixesOf(Class<?> c) {
        List<SettingHolder.Prefix> out = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isPublic(m) && Modifier.isFinal(m) && f.getType() == String.class
                    && f.getName().endsWith("_PREFIX")) {
                try {
                    String value = (String) f.get(null);
                    if (value != null && value.matches("[a-z][a-z0-9.-]*\\.")) {
                        out.add(new SettingHolder.Prefix(f.getName(), value));
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    private static List<String> classesNamingSetting(Path entry) {
        List<String> out = new ArrayList<>();
        try {
            if (Files.isDirectory(entry)) {
                Path base = entry.resolve("dev/kindling");
                if (!Files.isDirectory(base)) {
                    return out;
                }
                try (Stream<Path> files = Files.walk(base)) {
                    for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        if (contains(Files.readAllBytes(p))) {
                            out.add(className(entry.relativize(p).toString().replace('\\', '/')));
                        }
                    }
                }
            } else if (Files.isRegularFile(entry)) {
                try (JarFile jar = new JarFile(entry.toFile())) {
                    Enumeration<JarEntry> it = jar.entries();
                    while (it.hasMoreElements()) {
                        JarEntry e = it.nextElement();
                        if (e.getName().startsWith("dev/kindling/") && e.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                if (contains(in.readAllBytes())) {
                                    out.add(className(e.getName()));
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entry, e);
        }
        return out;
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }

    private static boolean contains(byte[] bytes) {
        outer:
        for (int i = 0; i <= bytes.length - MARK.length; i++) {
            for (int j = 0; j < MARK.length; j++) {
                if (bytes[i + j] != MARK[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
