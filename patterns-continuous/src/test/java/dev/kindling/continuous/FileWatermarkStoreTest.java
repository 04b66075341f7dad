package dev.kindling.continuous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Watermark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatermarkStoreTest {
    @TempDir
    Path dir;

    @Test
    void emptyBeforeTheFirstCommitThenRoundTrips() throws Exception {
        FileWatermarkStore store = new FileWatermarkStore(dir.resolve("state/wm.properties"));
        assertThat(store.load()).isEmpty();
        Instant at = Instant.parse("2026-11-25T10:00:00Z");
        store.commit(new CommittedBatch(0, Watermark.ofLong(41), at));
        store.commit(new CommittedBatch(1, Watermark.ofInstant(Instant.parse("2026-11-25T09:59:00Z")), at.plusSeconds(1)));
        assertThat(new FileWatermarkStore(dir.resolve("state/wm.properties")).load())
                .contains(new CommittedBatch(1, Watermark.ofInstant(Instant.parse("2026-11-25T09:59:00Z")), at.plusSeconds(1)));
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("wm.properties");
        }
    }

    @Test
    void refusesABatchIdThatIsNotNewer() {
        FileWatermarkStore store = new FileWatermarkStore(dir.resolve("wm.properties"));
        store.commit(new CommittedBatch(3, Watermark.ofLong(10), Instant.EPOCH));
        assertThatThrownBy(() -> store.commit(new CommittedBatch(3, Watermark.ofLong(11), Instant.EPOCH)))
                .isInstanceOf(KindlingException.class)
                .hasMessageContaining("batch 3 is already committed")
                .hasMessageContaining("refusing to commit batch 3");
        assertThat(store.load()).contains(new CommittedBatch(3, Watermark.ofLong(10), Instant.EPOCH));
    }

    @Test
    void aDamagedFileGivesAClearErrorAndIsLeftAsItWas() throws Exception {
        Path file = dir.resolve("wm.properties");
        Files.writeString(file, "batchId=x\n");
        FileWatermarkStore store = new FileWatermarkStore(file);
        assertThatThrownBy(store::load).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is damaged").hasMessageContaining("fix or delete it");
        assertThat(Files.readString(file)).isEqualTo("batchId=x\n");
    }

    @Test
    void aFolderIsRejected() {
        assertThatThrownBy(() -> new FileWatermarkStore(dir)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is a folder");
    }

    @Test
    void progressChecksItsValues() {
        assertThatThrownBy(() -> new CommittedBatch(-1, Watermark.ofLong(1), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchId must be >= 0, got -1");
        assertThat(new CommittedBatch(4, Watermark.ofLong(1), Instant.EPOCH).nextBatchId()).isEqualTo(5);
    }
}
