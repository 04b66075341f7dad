package dev.kindling.streaming;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.RecordDecoder;
import dev.kindling.ipp.Sink;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.crash.CrashPoints;
import dev.kindling.testkit.crash.HaltBeforeCommit;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/**
 * Run in a forked JVM by {@link CrashAtNamedPointsIT}: two runners read one Kafka topic, ten records
 * per micro-batch, and append every record (its offset and word) to sinks that would show a
 * duplicate: runner {@code table} to the keyless queryable table {@code lines}, runner {@code files}
 * to JSON files. Its session carries the testkit's crash points ({@link CrashPoints#sparkSettings()}):
 * with the system properties {@link HaltBeforeCommit#BATCH} and {@link HaltBeforeCommit#QUERIES} the
 * JVM halts after both sinks wrote that batch and before either commits it. Each micro-batch's progress is printed as
 * {@code progress NAME batch ID from START to END rows N} (the Kafka offsets as JSON; N the rows the query read).
 *
 * <p>Arguments: bootstrap servers, topic, checkpoint folder, output folder.
 */
public final class CrashingStreamMain {
    private CrashingStreamMain() {
    }

    public static void main(String[] args) throws Exception {
        String kafka = "kafka://" + args[0] + "/" + args[1] + "?maxOffsetsPerTrigger=10";
        String checkpoint = args[2];
        SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("crashing-stream")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config("spark.driver.host", "127.0.0.1");
        CrashPoints.sparkSettings().forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        spark.streams().addListener(new ProgressPrinter());
        Connectors c = Connectors.builtIn();
        KindlingService service = KindlingService.builder("crashing-stream")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1", "kindling.shutdown.grace", "20s")))
                .spark(spark)
                .component(runner(c, kafka, "table", c.sink("table:lines"), checkpoint))
                .component(runner(c, kafka, "files", c.sink("file:" + args[3] + "?format=json"), checkpoint))
                .start()
                .installShutdownHook();
        System.out.println("child ready on port " + service.port());
        service.awaitShutdown();
    }

    private static StreamingRunner runner(Connectors c, String kafka, String name, Sink sink, String checkpoint) {
        return StreamingRunner.builder(Pipeline.builder(PipelineKind.STREAMING).name(name)
                        .source(c.source(kafka)).decoder(RecordDecoder.text())
                        .process(Processor.sql("SELECT offset, value AS word FROM input"))
                        .sink(sink).build())
                .checkpoint(checkpoint + "/" + name).trigger(StreamTrigger.asFastAsPossible()).build();
    }

    /** Prints each micro-batch that had offsets to read: its id, its Kafka offsets and the rows read, as Spark reports them. */
    private static final class ProgressPrinter extends StreamingQueryListener {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
            var p = event.progress();
            if (p.sources().length > 0 && !Objects.equals(p.sources()[0].startOffset(), p.sources()[0].endOffset())) {
                System.out.println("progress " + p.name() + " batch " + p.batchId() + " from " + p.sources()[0].startOffset()
                        + " to " + p.sources()[0].endOffset() + " rows " + p.numInputRows());
            }
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
        }
    }
}
