package dev.kindling.streaming.internal;

import dev.kindling.ipp.KindlingException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A file of text lines that appears whole or not at all, on any Hadoop file system: written to
 * {@code DIR/_tmp-...}, synced to disk, renamed into place, and (on the local file system) the
 * directory synced too, so that the rename survives a crash. Readers ignore {@code _tmp-} files; one
 * left by a crash is deleted by the next {@link TableStore} load.
 *
 * <pre>{@code
 * DurableFile.write(fs, dir, "delta-7.jsonl", List.of(header, row1, row2));
 * }</pre>
 */
final class DurableFile {
    static final String TEMP_PREFIX = "_tmp-";

    private DurableFile() {
    }

    /** The file system to write with: the local one without its checksum layer, whose {@code hsync} reaches the disk. */
    static FileSystem writable(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /** Writes {@code lines} (each followed by a newline) as {@code dir/name}, replacing a file of that name. */
    static void write(FileSystem fs, Path dir, String name, Iterable<String> lines) throws IOException {
        FileSystem out = writable(fs);
        out.mkdirs(dir);
        Path tmp = new Path(dir, TEMP_PREFIX + name + "-" + System.nanoTime());
        try (FSDataOutputStream stream = out.create(tmp, true)) {
            for (String line : lines) {
                stream.write(line.getBytes(StandardCharsets.UTF_8));
                stream.write('\n');
            }
            stream.hsync();
        } catch (IOException | RuntimeException e) {
            try {
                out.delete(tmp, false);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Path target = new Path(dir, name);
        if (out.exists(target)) {
            out.delete(target, false);
        }
        if (!out.rename(tmp, target)) {
            throw new KindlingException("cannot rename " + tmp + " to " + target);
        }
        syncDirectory(out, dir);
    }

    /** Syncs the directory's entries (a rename, a delete) to disk, where the file system is the local one. */
    static void syncDirectory(FileSystem fs, Path dir) throws IOException {
        if (!"file".equals(fs.getUri().getScheme())) {
            return;
        }
        try (FileChannel d = FileChannel.open(Paths.get(fs.makeQualified(dir).toUri()), StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
