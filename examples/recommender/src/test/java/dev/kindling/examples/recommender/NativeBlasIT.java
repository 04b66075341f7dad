package dev.kindling.examples.recommender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.testkit.ForkedJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender says which BLAS its fits use in one line, and the loader's raw lines never show: in a
 * fresh JVM, on this machine as it is (with or without a native {@code libblas.so.3}).
 */
class NativeBlasIT {
    @Test
    void oneLineSaysWhichBlasAndTheLoadersRawLinesAreGone() {
        try (ForkedJvm jvm = ForkedJvm.builder(BlasLineMain.class).spark().start()) {
            assertThat(jvm.awaitExit(Duration.ofMinutes(1))).as("%s", jvm.lines()).isZero();
            List<String> lines = jvm.lines();
            assertThat(lines).as("the BLAS works").anyMatch(l -> l.equals("ddot=32.0"));
            assertThat(lines.stream().filter(l -> l.contains("BLAS: ")).toList()).as("%s", lines).hasSize(1);
            assertThat(lines).as("no raw loader line").noneMatch(l -> l.contains("dlopen") || l.contains("JNI_OnLoad")
                    || l.contains("Failed to load implementation"));
            String expected = NativeBlas.findLibrary(System.getenv("LD_LIBRARY_PATH")).isPresent() ? "BLAS: native (" : "BLAS: Java (";
            assertThat(lines).as("%s", lines).anyMatch(l -> l.contains(expected));
        }
    }

    @Test
    void theLibraryIsFoundOnTheLibraryPathFirst(@TempDir Path dir) throws Exception {
        Path lib = Files.createFile(dir.resolve(NativeBlas.LIBRARY));
        assertThat(NativeBlas.findLibrary("/nowhere:" + dir)).contains(lib);
    }
}
