package dev.kindling.testkit.crash;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.checkpointing.FileContextBasedCheckpointFileManager;

/**
 * A checkpoint file manager that halts the JVM (exit {@value CrashPoints#EXIT_CODE}, no shutdown hook,
 * like a {@code kill -9}) after the sinks of micro-batch N have written it and before any query writes
 * the commit of N ({@code CHECKPOINT/commits/N}): the moment at which a restart must neither lose nor
 * repeat that batch.
 *
 * <p>Spark uses it for every checkpoint log of a session whose {@code
 * spark.sql.streaming.checkpointFileManagerClass} names it ({@link CrashPoints#sparkSettings()} sets
 * it). It is armed by system properties of the JVM that runs the queries: {@value #BATCH} names N, and
 * {@value #QUERIES} (default 1) how many queries must reach the commit of N before the halt; each query
 * that arrives there waits for the others (at most two minutes), then the JVM halts. Unarmed, it only
 * delegates to the file manager Spark picks by default for local and HDFS paths.
 *
 * <pre>{@code
 * // in the child's main:
 * SparkSession.Builder builder = SparkSession.builder().master("local[2]");
 * CrashPoints.sparkSettings().forEach(builder::config);
 *
 * // in the test: both queries wrote batch 2, neither committed it
 * try (ForkedJvm child = ForkedJvm.builder(StreamMain.class).spark()
 *     .jvmOptions(CrashPoints.haltBeforeCommit(2, 2)).start()) {
 *   assertThat(child.awaitExit(Duration.ofMinutes(3))).isEqualTo(CrashPoints.EXIT_CODE);
 *   assertThat(child.output()).contains("halting before the commit of batch 2; queries there: 2");
 * }
 * }</pre>
 *
 * <p>Before it halts it prints one line per arriving query, {@code query CHECKPOINT wrote batch N and
 * reached its commit}, and then {@code halting before the commit of batch N; queries there: Q}.
 */
public final class HaltBeforeCommit extends FileContextBasedCheckpointFileManager {
  /** The system property naming the micro-batch whose commit is never written. */
  public static final String BATCH = "kindling.crash.haltBeforeCommit";

  /** The system property naming how many queries must reach that commit before the halt; default 1. */
  public static final String QUERIES = "kindling.crash.queries";

  private static final long WAIT_FOR_QUERIES_NANOS = TimeUnit.MINUTES.toNanos(2);
  private static final Set<String> ARRIVED = new TreeSet<>();

  /** Called by Spark for every checkpoint log. */
  public HaltBeforeCommit(Path path, Configuration conf) {
    super(path, conf);
  }

  @Override
  public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
    String armed = System.getProperty(BATCH);
    if (armed != null && path.getName().equals(armed) && path.getParent().getName().equals("commits")) {
      arriveAndHalt(path.getParent().getParent().toString(), armed, Integer.getInteger(QUERIES, 1));
    }
    return super.createAtomic(path, overwriteIfPossible);
  }

  private static void arriveAndHalt(String query, String batch, int queries) {
    synchronized (ARRIVED) {
      ARRIVED.add(query);
      System.out.println("query " + query + " wrote batch " + batch + " and reached its commit");
      ARRIVED.notifyAll();
      long deadline = System.nanoTime() + WAIT_FOR_QUERIES_NANOS;
      while (ARRIVED.size() < queries && System.nanoTime() < deadline) {
        try {
          // woken by the next query that arrives; the timeout only re-checks the deadline
          ARRIVED.wait(1000);
        } catch (InterruptedException e) {
          // a query being stopped: keep it here, the JVM halts anyway
        }
      }
      System.out.println("halting before the commit of batch " + batch + "; queries there: " + ARRIVED.size());
      System.out.flush();
      Runtime.getRuntime().halt(CrashPoints.EXIT_CODE);
    }
  }
}
