package dev.kindling.continuous;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.Watermark;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * A {@link WatermarkStore} in a small properties file. A commit writes a temporary file next to
 * it, forces it to disk, renames it over the old one ({@code ATOMIC_MOVE}) and forces the directory, so a crash at any
 * instant leaves either the old or the new progress.
 *
 * <pre>{@code
 * WatermarkStore store = new FileWatermarkStore(Path.of("/var/lib/etl/ratings.watermark"));
 * }</pre>
 *
 * <p>The file holds {@code batchId}, {@code watermark} ({@link Watermark#serialize()}) and
 * {@code committedAt}. The folder is created when missing. Thread-safe within one JVM; use one
 * file per runner (two processes sharing a file are caught by the batch-id check only when
 * their commits do not interleave).
 */
public final class FileWatermarkStore implements WatermarkStore {
    private final Path file;

    public FileWatermarkStore(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (Files.isDirectory(this.file)) {
            throw new ConfigurationException("the watermark file " + this.file + " is a folder: give a file path, e.g. "
                    + this.file.resolve("watermark.properties"));
        }
    }

    @Override
    public String name() {
        return "file:" + file;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Optional<CommittedBatch> load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new TransientException("cannot read the watermark file " + file + ": " + e.getMessage(), e);
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
            return Optional.of(new CommittedBatch(Long.parseLong(p.getProperty("batchId")),
                    Watermark.parse(p.getProperty("watermark")), Instant.parse(p.getProperty("committedAt"))));
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("the watermark file " + file + " is damaged (expected batchId, watermark and "
                    + "committedAt): fix or delete it (deleting re-reads the source from the beginning)", e);
        }
    }

    @Override
    public synchronized void commit(CommittedBatch progress) {
        Objects.requireNonNull(progress, "progress");
        load().ifPresent(old -> {
            if (old.batchId() >= progress.batchId()) {
                throw new KindlingException("batch " + old.batchId() + " is already committed in " + file
                        + "; refusing to commit batch " + progress.batchId() + " (is a second runner using this file?)");
            }
        });
        Properties p = new Properties();
        p.setProperty("batchId", Long.toString(progress.batchId()));
        p.setProperty("watermark", progress.watermark().serialize());
        p.setProperty("committedAt", progress.committedAt().toString());
        StringWriter out = new StringWriter();
        try {
            p.store(out, "Kindling continuous-batch progress; written atomically");
            Path dir = file.getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                // the rename is durable once the directory is synced too
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(tmp);
                throw new ConfigurationException("the file system of " + file + " cannot rename atomically; "
                        + "put the watermark file on a local file system", e);
            }
        } catch (IOException e) {
            throw new TransientException("cannot write the watermark file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
