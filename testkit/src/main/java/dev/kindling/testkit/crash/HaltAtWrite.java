package dev.kindling.testkit.crash;

import org.apache.hadoop.mapreduce.JobContext;
import org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol;

/**
 * A file commit protocol that halts the JVM (exit {@value CrashPoints#EXIT_CODE}, no shutdown hook, like
 * a {@code kill -9}) when a Spark file write whose output path contains a given text begins, before
 * anything of that write exists: the moment between two writes of one batch, for instance after the
 * main output and before the quarantine.
 *
 * <p>Spark uses it for every batch file write of a session whose {@code
 * spark.sql.sources.commitProtocolClass} names it ({@link CrashPoints#sparkSettings()} sets it). It is
 * armed by the system property {@value #PATH} of the JVM that writes; writes whose path does not
 * contain it, and every write while it is unset, go on as with Spark's default protocol.
 *
 * <pre>{@code
 * // the quarantine write of batch 0 never begins
 * try (ForkedJvm child = ForkedJvm.builder(EtlMain.class).spark()
 *     .jvmOptions(CrashPoints.haltAtWrite(quarantine.resolve("_tmp_batch_id=0_").toString())).start()) {
 *   assertThat(child.awaitExit(Duration.ofMinutes(3))).isEqualTo(CrashPoints.EXIT_CODE);
 *   assertThat(child.output()).contains("halting as the write to");
 * }
 * }</pre>
 *
 * <p>Before it halts it prints {@code halting as the write to PATH begins}.
 */
public final class HaltAtWrite extends SQLHadoopMapReduceCommitProtocol {
  /** The system property: a part of the output path of the write that halts the JVM. */
  public static final String PATH = "kindling.crash.haltAtWrite";

  private static final long serialVersionUID = 1L;

  private final String path;

  /** Called by Spark for every file write. */
  public HaltAtWrite(String jobId, String path, boolean dynamicPartitionOverwrite) {
    super(jobId, path, dynamicPartitionOverwrite);
    this.path = path;
  }

  @Override
  public void setupJob(JobContext jobContext) {
    String armed = System.getProperty(PATH);
    if (armed != null && path.contains(armed)) {
      System.out.println("halting as the write to " + path + " begins");
      System.out.flush();
      Runtime.getRuntime().halt(CrashPoints.EXIT_CODE);
    }
    super.setupJob(jobContext);
  }
}
