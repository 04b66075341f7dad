package dev.kindling.connect.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCheckpointFileManagerTest {
    @TempDir
    java.nio.file.Path dir;

    private LocalCheckpointFileManager manager() {
        return new LocalCheckpointFileManager(new Path(dir.toUri()), new Configuration());
    }

    private static void write(CheckpointFileManager m, Path p, boolean overwrite, String text) throws IOException {
        try (OutputStream out = m.createAtomic(p, overwrite)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(CheckpointFileManager m, Path p) throws IOException {
        try (FSDataInputStream in = m.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private List<String> names(java.nio.file.Path d) throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFileAppearsWholeOnCloseAndNotBefore() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path file = new Path(dir.resolve("offsets").resolve("0").toUri());
        CheckpointFileManager.CancellableFSDataOutputStream out = m.createAtomic(file, false);
        out.write("v1\n{}".getBytes(StandardCharsets.UTF_8));
        assertThat(m.exists(file)).isFalse();
        out.close();
        assertThat(m.exists(file)).isTrue();
        assertThat(read(m, file)).isEqualTo("v1\n{}");
        assertThat(names(dir.resolve("offsets"))).containsExactly("0");
    }

    @Test
    void withoutOverwriteTheSecondWriterOfAFileFailsAsSparkExpectsAndTheFirstContentStays() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path file = new Path(dir.resolve("commits").resolve("7").toUri());
        write(m, file, false, "first");
        assertThatThrownBy(() -> write(m, file, false, "second"))
                .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class)
                .hasMessageContaining("7 exists");
        assertThat(read(m, file)).isEqualTo("first");
        assertThat(names(dir.resolve("commits"))).containsExactly("7");
    }

    @Test
    void withOverwriteTheFileIsReplacedAndAStaleHadoopChecksumBesideItIsRemoved() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path file = new Path(dir.resolve("state").resolve("1.delta").toUri());
        write(m, file, true, "old");
        Files.writeString(dir.resolve("state").resolve(".1.delta.crc"), "stale checksum of another content");
        write(m, file, true, "new");
        assertThat(read(m, file)).isEqualTo("new");
        assertThat(names(dir.resolve("state"))).containsExactly("1.delta");
    }

    @Test
    void aCancelledWriteLeavesNothing() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path file = new Path(dir.resolve("offsets").resolve("3").toUri());
        CheckpointFileManager.CancellableFSDataOutputStream out = m.createAtomic(file, false);
        out.write(1);
        out.cancel();
        out.close(); // after cancel: nothing more happens
        assertThat(m.exists(file)).isFalse();
        assertThat(names(dir.resolve("offsets"))).isEmpty();
    }

    @Test
    void listFiltersAndAMissingDirectoryListsNothing() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path offsets = new Path(dir.resolve("offsets").toUri());
        for (String n : List.of("0", "1", "2")) {
            write(m, new Path(offsets, n), false, n);
        }
        FileStatus[] all = m.list(offsets, p -> !p.getName().equals("1"));
        assertThat(Arrays.stream(all).map(s -> s.getPath().getName()).sorted()).containsExactly("0", "2");
        assertThat(all[0].getLen()).isEqualTo(1);
        assertThat(all[0].isFile()).isTrue();
        assertThat(m.list(new Path(dir.resolve("nothing-here").toUri()), p -> true)).isEmpty();
    }

    @Test
    void mkdirsDeleteAndTheCheckpointDirectory() throws IOException {
        LocalCheckpointFileManager m = manager();
        Path state = new Path(dir.resolve("state").resolve("0").resolve("1").toUri());
        m.mkdirs(state);
        write(m, new Path(state, "1.delta"), true, "x");
        m.delete(new Path(dir.resolve("state").toUri()));
        assertThat(Files.exists(dir.resolve("state"))).isFalse();
        m.delete(new Path(dir.resolve("state").toUri())); // already gone: no error
        assertThat(m.createCheckpointDirectory().toUri().getPath()).isEqualTo(dir.toAbsolutePath().toUri().getPath());
        assertThat(m.isLocal()).isTrue();
    }

    @Test
    void onlyLocalPathsAreWrittenHere() {
        assertThat(LocalCheckpointFileManager.isLocal("/var/lib/app/checkpoint")).isTrue();
        assertThat(LocalCheckpointFileManager.isLocal("file:/var/lib/app/checkpoint")).isTrue();
        assertThat(LocalCheckpointFileManager.isLocal("s3a://bucket/checkpoint")).isFalse();
        assertThat(LocalCheckpointFileManager.isLocal("hdfs://namenode:8020/checkpoint")).isFalse();
        assertThat(LocalCheckpointFileManager.isLocal(null)).isFalse();
    }
}
