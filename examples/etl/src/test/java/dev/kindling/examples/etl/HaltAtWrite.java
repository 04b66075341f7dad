package dev.kindling.examples.etl;

import org.apache.hadoop.mapreduce.JobContext;
import org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol;

/**
 * The file commit protocol of {@link EtlCrashMain}: when a Spark write into a folder whose path
 * contains the system property {@value #PATH} begins, the JVM halts (exit 137, no shutdown hook, like
 * a kill -9) before anything of that write exists. Spark uses it for every file write when the
 * session's {@code spark.sql.sources.commitProtocolClass} names it; other writes go on as usual.
 */
public final class HaltAtWrite extends SQLHadoopMapReduceCommitProtocol {
    /** The system property: a part of the path of the write that halts the JVM. */
    public static final String PATH = "kindling.crash.haltAtWrite";

    private final String path;

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
            Runtime.getRuntime().halt(137);
        }
        super.setupJob(jobContext);
    }
}
