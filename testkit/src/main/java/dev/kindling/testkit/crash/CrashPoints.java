package dev.kindling.testkit.crash;

import java.util.Map;

/**
 * Arms the crash points of this package: the Spark settings that install them in a session, and the
 * JVM options that make them halt a forked JVM at one named point.
 *
 * <p>The crash points live in the JVM under test, so the usual shape is a small {@code main} that
 * builds its session with {@link #sparkSettings()} and runs the service, started by the test in a
 * {@link dev.kindling.testkit.ForkedJvm} with the options of one point; the test expects exit code
 * {@value #EXIT_CODE}, then starts a new JVM on what the halted one left on disk.
 *
 * <pre>{@code
 * // the child: unarmed, both crash points behave like Spark's defaults
 * SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("orders");
 * CrashPoints.sparkSettings().forEach(builder::config);
 * SparkSession spark = builder.getOrCreate();
 *
 * // the test
 * try (ForkedJvm first = ForkedJvm.builder(OrdersMain.class).spark()
 *     .jvmOptions(CrashPoints.haltBeforeCommit(0)).start()) {
 *   assertThat(first.awaitExit(Duration.ofMinutes(3))).isEqualTo(CrashPoints.EXIT_CODE);
 * }
 * try (ForkedJvm second = ForkedJvm.builder(OrdersMain.class).spark().start()) {
 *   // every row once after the restart
 * }
 * }</pre>
 */
public final class CrashPoints {
  /** The exit code of a JVM halted at a crash point, the same as after a {@code kill -9}. */
  public static final int EXIT_CODE = 137;

  /** The Spark setting that installs {@link HaltBeforeCommit}. */
  public static final String CHECKPOINT_FILE_MANAGER = "spark.sql.streaming.checkpointFileManagerClass";

  /** The Spark setting that installs {@link HaltAtWrite}. */
  public static final String COMMIT_PROTOCOL = "spark.sql.sources.commitProtocolClass";

  private CrashPoints() {
  }

  /**
   * The settings of a session whose checkpoint commits ({@link HaltBeforeCommit}) and file writes
   * ({@link HaltAtWrite}) can halt the JVM; each point stays inert until its system property is set.
   */
  public static Map<String, String> sparkSettings() {
    return Map.of(CHECKPOINT_FILE_MANAGER, HaltBeforeCommit.class.getName(),
        COMMIT_PROTOCOL, HaltAtWrite.class.getName());
  }

  /** The JVM option that halts it before the commit of micro-batch {@code batch} of the first query that gets there. */
  public static String[] haltBeforeCommit(long batch) {
    return new String[] {"-D" + HaltBeforeCommit.BATCH + "=" + batch};
  }

  /**
   * The JVM options that halt it once {@code queries} queries have all written micro-batch {@code
   * batch} and reached its commit.
   */
  public static String[] haltBeforeCommit(long batch, int queries) {
    if (queries < 1) {
      throw new IllegalArgumentException("queries must be >= 1, was " + queries);
    }
    return new String[] {"-D" + HaltBeforeCommit.BATCH + "=" + batch, "-D" + HaltBeforeCommit.QUERIES + "=" + queries};
  }

  /** The JVM option that halts it as a file write whose output path contains {@code pathPart} begins. */
  public static String[] haltAtWrite(String pathPart) {
    if (pathPart == null || pathPart.isEmpty()) {
      throw new IllegalArgumentException("pathPart must not be empty");
    }
    return new String[] {"-D" + HaltAtWrite.PATH + "=" + pathPart};
  }
}
