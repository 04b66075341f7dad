package dev.kindling.streaming;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.checkpointing.FileContextBasedCheckpointFileManager;

/**
 * The checkpoint file manager of {@link CrashingStreamMain}: it halts the JVM (exit 137, no shutdown
 * hook, like a kill -9) at a named point, after every query's sink has written micro-batch N and
 * before any of them writes the commit of N ({@code CHECKPOINT/query/commits/N}).
 *
 * <p>Spark creates it for every checkpoint log when the session's
 * {@code spark.sql.streaming.checkpointFileManagerClass} names it. Armed by the system properties
 * {@value #BATCH} (N) and {@value #QUERIES} (how many queries must reach that point; default 1): each
 * query that reaches the commit of N waits there for the others, then the JVM halts. Unarmed, it
 * only delegates.
 */
public final class HaltBeforeCommit extends FileContextBasedCheckpointFileManager {
    /** The system property naming the batch whose commit is never written. */
    public static final String BATCH = "kindling.crash.haltBeforeCommit";
    /** The system property naming how many queries must reach the commit before the halt. */
    public static final String QUERIES = "kindling.crash.queries";

    private static final Set<String> ARRIVED = new TreeSet<>();

    public HaltBeforeCommit(Path path, Configuration conf) {
        super(path, conf);
    }

    @Override
    public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        String armed = System.getProperty(BATCH);
        if (armed != null && path.getName().equals(armed) && path.getParent().getName().equals("commits")) {
            arriveAndHalt(path.getParent().getParent().toString(), Integer.getInteger(QUERIES, 1));
        }
        return super.createAtomic(path, overwriteIfPossible);
    }

    private static void arriveAndHalt(String query, int queries) {
        synchronized (ARRIVED) {
            ARRIVED.add(query);
            System.out.println("query " + query + " wrote batch " + System.getProperty(BATCH) + " and reached its commit");
            ARRIVED.notifyAll();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (ARRIVED.size() < queries && System.nanoTime() < deadline) {
                try {
                    ARRIVED.wait(1000);
                } catch (InterruptedException e) {
                    // a stopping query: keep it here, the JVM halts anyway
                }
            }
            System.out.println("halting before the commit of batch " + System.getProperty(BATCH) + "; queries there: " + ARRIVED.size());
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
