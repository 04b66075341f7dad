package dev.kindling.testkit;

import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark application for {@link SparkStandaloneClusterIT}, run by the real spark-submit: prints
 * the driver's process id, the process ids of the JVMs its tasks ran in, and a count.
 */
public final class ClusterProbeMain {
  private ClusterProbeMain() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().appName("cluster-probe").getOrCreate();
    try {
      MapPartitionsFunction<Long, Long> pid = rows -> List.of(ProcessHandle.current().pid()).iterator();
      List<Long> pids = spark.range(0, 8, 1, 8).as(Encoders.LONG()).mapPartitions(pid, Encoders.LONG())
          .distinct().collectAsList();
      System.out.println("DRIVER=" + ProcessHandle.current().pid());
      System.out.println("EXECUTORS=" + pids.stream().sorted().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse(""));
      System.out.println("COUNT=" + spark.range(0, 1_000_000, 1, 4).filter("id % 3 = 0").count());
    } finally {
      spark.stop();
    }
  }
}
