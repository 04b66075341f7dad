package dev.kindling.connect.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathFilter;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.checkpointing.FileContextBasedCheckpointFileManager;

/**
 * The checkpoint files of a streaming query on a local disk (a {@code file:} path, or one without a
 * scheme), written with {@code java.nio}; any other file system gets Spark's own manager.
 *
 * <p>Why: Hadoop's local file system, without its native library (which no Maven artifact ships), forks a
 * {@code chmod} for every file it creates and a {@code stat} or {@code readlink} for every rename. From a
 * Spark driver or executor JVM each fork costs 25–100 ms, and a stateful micro-batch writes at least three
 * files one after another (the offset log, the state store's delta, the commit log). Here a write is a temp
 * file, {@code fsync}, and an atomic rename; no process is started.
 *
 * <p>Atomicity and durability: a file appears whole or not at all (rename in one directory). Without
 * overwrite the rename is a hard link, which fails when the file exists, so two writers of the same batch
 * cannot both win (the rule Spark's metadata logs rely on). The content is forced to disk before the rename,
 * which Hadoop's local file system does not do. Files are read without Hadoop's {@code .crc} checksums, and a
 * stale {@code .crc} left by Spark's own manager next to an overwritten file is removed.
 *
 * <p>The runners use it for local checkpoints unless the session names its own
 * {@code spark.sql.streaming.checkpointFileManagerClass}.
 */
public final class LocalCheckpointFileManager implements CheckpointFileManager {
    /** Spark's setting that names the class. */
    public static final String SPARK_SETTING = "spark.sql.streaming.checkpointFileManagerClass";

    private final Path root;
    private final Configuration conf;
    private final CheckpointFileManager remote;

    /** The constructor Spark calls: the checkpoint's path and the session's Hadoop configuration. */
    public LocalCheckpointFileManager(Path path, Configuration conf) {
        this.root = path;
        this.conf = conf;
        this.remote = isLocal(path) ? null : new FileContextBasedCheckpointFileManager(path, conf);
    }

    /** Whether {@code location} (a path or URI string) is on the local disk. */
    public static boolean isLocal(String location) {
        return location != null && isLocal(new Path(location));
    }

    private static boolean isLocal(Path path) {
        String scheme = path.toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    private static java.nio.file.Path local(Path path) {
        return java.nio.file.Path.of(path.toUri().getPath());
    }

    @Override
    public CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        if (remote != null) {
            return remote.createAtomic(path, overwriteIfPossible);
        }
        java.nio.file.Path target = local(path);
        java.nio.file.Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new AtomicFile(Channels.newOutputStream(channel), channel, temp, target, overwriteIfPossible);
        } catch (IOException e) {
            throw rethrow(e);
        }
    }

    @Override
    public FSDataInputStream open(Path path) {
        if (remote != null) {
            return remote.open(path);
        }
        try {
            return FileSystem.getLocal(conf).getRawFileSystem().open(path);
        } catch (IOException e) {
            throw rethrow(e);
        }
    }

    @Override
    public FileStatus[] list(Path path, PathFilter filter) {
        if (remote != null) {
            return remote.list(path, filter);
        }
        java.nio.file.Path dir = local(path);
        if (!Files.isDirectory(dir)) {
            return new FileStatus[0];
        }
        List<FileStatus> out = new ArrayList<>();
        try (Stream<java.nio.file.Path> children = Files.list(dir)) {
            for (java.nio.file.Path child : (Iterable<java.nio.file.Path>) children::iterator) {
                Path p = new Path(path, child.getFileName().toString());
                if (filter.accept(p)) {
                    BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class);
                    out.add(new FileStatus(a.size(), a.isDirectory(), 1, 32L * 1024 * 1024, a.lastModifiedTime().toMillis(),
                            new Path(child.toUri())));
                }
            }
        } catch (NoSuchFileException e) {
            return new FileStatus[0];
        } catch (IOException e) {
            throw rethrow(e);
        }
        return out.toArray(FileStatus[]::new);
    }

    @Override
    public void mkdirs(Path path) {
        if (remote != null) {
            remote.mkdirs(path);
            return;
        }
        try {
            Files.createDirectories(local(path));
        } catch (IOException e) {
            throw rethrow(e);
        }
    }

    @Override
    public boolean exists(Path path) {
        return remote != null ? remote.exists(path) : Files.exists(local(path));
    }

    @Override
    public void delete(Path path) {
        if (remote != null) {
            remote.delete(path);
            return;
        }
        java.nio.file.Path p = local(path);
        try (Stream<java.nio.file.Path> all = Files.walk(p)) {
            for (java.nio.file.Path q : (Iterable<java.nio.file.Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        } catch (NoSuchFileException e) {
            // nothing to delete
        } catch (IOException e) {
            throw rethrow(e);
        }
    }

    @Override
    public boolean isLocal() {
        return remote == null || remote.isLocal();
    }

    @Override
    public Path createCheckpointDirectory() {
        if (remote != null) {
            return remote.createCheckpointDirectory();
        }
        mkdirs(root);
        return new Path(local(root).toAbsolutePath().toUri());
    }

    /** A temp file that becomes {@code target} when closed, or disappears when cancelled. */
    private static final class AtomicFile extends CancellableFSDataOutputStream {
        private final FileChannel channel;
        private final java.nio.file.Path temp;
        private final java.nio.file.Path target;
        private final boolean overwrite;
        private boolean done;

        AtomicFile(OutputStream out, FileChannel channel, java.nio.file.Path temp, java.nio.file.Path target, boolean overwrite) {
            super(out);
            this.channel = channel;
            this.temp = temp;
            this.target = target;
            this.overwrite = overwrite;
        }

        @Override
        public synchronized void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                flush();
                channel.force(true);
                super.close();
                if (overwrite) {
                    moveOver();
                } else {
                    try {
                        Files.createLink(target, temp); // fails when the target exists: one writer wins
                    } catch (FileAlreadyExistsException e) {
                        throw new org.apache.hadoop.fs.FileAlreadyExistsException(target + " exists");
                    }
                    Files.delete(temp);
                }
                Files.deleteIfExists(target.resolveSibling("." + target.getFileName() + ".crc"));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }

        private void moveOver() throws IOException {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        public synchronized void cancel() {
            if (done) {
                return;
            }
            done = true;
            try {
                super.close();
            } catch (IOException e) {
                // the temp file goes anyway
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                throw rethrow(e);
            }
        }
    }

    @Override
    public String toString() {
        return "LocalCheckpointFileManager(" + root + (remote == null ? ", local" : ", " + remote.getClass().getSimpleName()) + ")";
    }

    /** Rethrows {@code e} as it is, as Spark's own managers (in Scala) do: callers catch {@code FileNotFoundException} and the like. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException rethrow(Throwable e) throws E {
        throw (E) e;
    }
}
