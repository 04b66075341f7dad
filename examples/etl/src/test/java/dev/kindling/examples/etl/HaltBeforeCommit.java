package dev.kindling.examples.etl;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.checkpointing.FileContextBasedCheckpointFileManager;

/**
 * The checkpoint file manager of {@link EtlCrashMain}: the JVM halts (exit 137, no shutdown hook,
 * like a kill -9) when the query is about to write the commit of the micro-batch named by the system
 * property {@value #BATCH} ({@code CHECKPOINT/query/commits/N}), after the sink wrote it. Spark
 * uses it for every checkpoint log when the session's {@code spark.sql.streaming.checkpointFileManagerClass}
 * names it; unarmed, it only delegates.
 */
public final class HaltBeforeCommit extends FileContextBasedCheckpointFileManager {
    /** The system property naming the batch whose commit is never written. */
    public static final String BATCH = "kindling.crash.haltBeforeCommit";

    public HaltBeforeCommit(Path path, Configuration conf) {
        super(path, conf);
    }

    @Override
    public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        String armed = System.getProperty(BATCH);
        if (armed != null && path.getName().equals(armed) && path.getParent().getName().equals("commits")) {
            System.out.println("halting before the commit of batch " + armed + " in " + path.getParent().getParent());
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
        return super.createAtomic(path, overwriteIfPossible);
    }
}
