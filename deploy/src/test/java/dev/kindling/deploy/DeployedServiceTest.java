package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.streaming.StreamingSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The settings classes {@link DeployedService} lists for each example are the ones its code uses: every
 * class whose {@code Setting} constants the example's own classes read, and the settings class of every
 * pattern whose package they use (the pattern's runner reads those itself). Read from the example's
 * class files, so a new settings class or pattern fails here until the list has it.
 */
class DeployedServiceTest {
    static final String SETTING = "Ldev/kindling/config/Setting;";
    static final Map<String, Class<?>> PATTERNS = Map.of("dev/kindling/ondemand/", OnDemandSettings.class,
            "dev/kindling/continuous/", ContinuousSettings.class, "dev/kindling/streaming/", StreamingSettings.class);

    static Stream<DeployedService> examples() {
        return DeployedService.ALL.stream().filter(s -> s.directory().startsWith("examples/"));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void listsTheSettingsClassesTheExampleReads(DeployedService service) throws Exception {
        Set<String> settingsRead = new TreeSet<>();
        Set<String> referenced = new TreeSet<>();
        Class<?> main = Class.forName(service.mainClass(), false, getClass().getClassLoader());
        String pkg = main.getPackageName().replace('.', '/') + "/";
        for (byte[] bytes : classesOf(main, pkg)) {
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitFieldInsn(int opcode, String owner, String field, String fieldDesc) {
                            if (opcode == Opcodes.GETSTATIC && SETTING.equals(fieldDesc)) {
                                settingsRead.add(owner.replace('/', '.'));
                            }
                        }

                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String d, boolean itf) {
                            referenced.add(owner);
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        Set<String> listed = new TreeSet<>(service.holders().stream().map(Class::getName).toList());
        assertThat(listed).containsAll(settingsRead);
        PATTERNS.forEach((patternPackage, settings) -> assertThat(listed.contains(settings.getName()))
                .as("%s uses %s", service, patternPackage)
                .isEqualTo(referenced.stream().anyMatch(o -> o.startsWith(patternPackage))));
    }

    /** The class files of {@code pkg} (not its sub-packages) in the jar or folder {@code main} was loaded from. */
    private static List<byte[]> classesOf(Class<?> main, String pkg) throws IOException {
        URL url = main.getResource("/" + main.getName().replace('.', '/') + ".class");
        List<byte[]> out = new ArrayList<>();
        if ("jar".equals(url.getProtocol())) {
            JarURLConnection c = (JarURLConnection) url.openConnection();
            c.setUseCaches(false);
            try (JarFile jar = c.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    String rest = e.getName().startsWith(pkg) ? e.getName().substring(pkg.length()) : null;
                    if (rest != null && rest.endsWith(".class") && !rest.contains("/")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            out.add(in.readAllBytes());
                        }
                    }
                }
            }
        } else {
            Path dir = Path.of(toUri(url)).getParent();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    out.add(Files.readAllBytes(f));
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return out;
    }

    private static URI toUri(URL url) {
        try {
            return url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
