package dev.kindling.examples.recommender;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which BLAS the ALS fits of this JVM use, said in one log line. Spark's linear algebra tries a native
 * {@code libblas.so.3} first; where there is none, its loader prints raw {@code dlopen(...) failed} lines
 * from native code and falls back to BLAS written in Java. This class looks for the library first and,
 * when it is missing, tells the loader not to try it, so the only trace is this line:
 *
 * <pre>{@code
 * NativeBlas.configure();
 * // BLAS: Java (Java11BLAS): no libblas.so.3 on this machine; the fits need none (native OpenBLAS made
 * //       no consistent difference, see the recommender's README)
 * // or
 * // BLAS: native (JNIBLAS, /usr/lib/x86_64-linux-gnu/libblas.so.3)
 * }</pre>
 *
 * <p>Measured with {@code BlasBench} in {@code bench/continuous}: the recommender's fits (rank 10) spend their
 * time in Spark's shuffles and joins, not in the small BLAS calls: OpenBLAS / Java BLAS was 0.97, 1.00 and 0.76 in
 * three runs, within the spread of single fits.
 *
 * <p>It acts in the JVM that calls it (the driver, which is also the executor in local mode); executors
 * of a cluster use the BLAS of their own machine or image. A user who sets the loader's own property
 * ({@value #ALLOW_NATIVE}) keeps control: it is then left as it is. Call it before the first fit.
 */
final class NativeBlas {
    /** The loader's switch for native BLAS; LAPACK and ARPACK have one each, {@code ...lapack...} and {@code ...arpack...}. */
    static final String ALLOW_NATIVE = "dev.ludovic.netlib.blas.allowNative";
    /** The shared library the loader opens. */
    static final String LIBRARY = "libblas.so.3";

    private static final List<String> SYSTEM_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib");

    private NativeBlas() {
    }

    /**
     * Chooses and loads the BLAS of this JVM (once; later calls only describe it) and returns the line that says
     * which, as it was logged.
     */
    static synchronized String configure() {
        Optional<Path> library = findLibrary(System.getenv("LD_LIBRARY_PATH"));
        if (System.getProperty(ALLOW_NATIVE) == null && library.isEmpty()) {
            for (String lib : List.of("blas", "lapack", "arpack")) {
                System.setProperty("dev.ludovic.netlib." + lib + ".allowNative", "false");
            }
        }
        Logger.getLogger("dev.ludovic.netlib").setLevel(Level.WARNING); // its own "Using ..." lines: this one says it
        String impl = dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName();
        boolean nativeBlas = impl.startsWith("JNI") || impl.startsWith("Native");
        String line = nativeBlas
                ? "BLAS: native (" + impl + library.map(p -> ", " + p).orElse("") + ")"
                : "BLAS: Java (" + impl + "): " + (library.isEmpty() ? "no " + LIBRARY + " on this machine"
                        : "native BLAS is switched off (" + ALLOW_NATIVE + "=" + System.getProperty(ALLOW_NATIVE) + ")")
                        + "; the fits need none (native OpenBLAS made no consistent difference, see the recommender's README)";
        org.slf4j.LoggerFactory.getLogger(NativeBlas.class).info(line);
        return line;
    }

    /** Where {@value #LIBRARY} is, in the folders of {@code ldLibraryPath} (may be null) and the usual system folders. */
    static Optional<Path> findLibrary(String ldLibraryPath) {
        List<String> dirs = new ArrayList<>();
        if (ldLibraryPath != null && !ldLibraryPath.isBlank()) {
            dirs.addAll(List.of(ldLibraryPath.split(":")));
        }
        dirs.addAll(SYSTEM_DIRS);
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, LIBRARY)).filter(Files::exists).findFirst();
    }
}
