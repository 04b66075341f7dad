package dev.kindling.streaming;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Sink;
import dev.kindling.ipp.StreamWritable;
import dev.kindling.service.Component;
import dev.kindling.testkit.ComponentContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.junit.jupiter.api.io.TempDir;

/**
 * The component contract for the streaming runner: a rate source (no broker needed) into a memory
 * table; the failing runner's sink throws {@link ComponentContract.ContractError} from
 * {@code foreachBatch}, which Spark hands to the runner wrapped, and which the runner treats as fatal.
 */
class StreamingRunnerContractIT extends ComponentContract {
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path tmp;

    private StreamingRunner runner(Sink sink) {
        String name = "numbers" + IDS.incrementAndGet();
        Pipeline pipeline = Pipeline.builder(PipelineKind.STREAMING).name(name)
                .source(Connectors.builtIn().source("range:0..1000000?rowsPerSecond=20"))
                .process(Processor.sql("SELECT id FROM input"))
                .sink(sink)
                .build();
        StreamingRunner.Builder b = StreamingRunner.builder(pipeline).trigger(StreamTrigger.every(Duration.ofMillis(200)));
        return (sink instanceof StreamWritable w && w.needsCheckpoint() ? b.checkpoint(tmp.resolve(name).toString()) : b).build();
    }

    @Override
    protected Component newComponent(SparkSession spark) {
        return runner(Connectors.builtIn().sink("memory:contract_" + IDS.get()));
    }

    @Override
    protected Component failingComponent(SparkSession spark) {
        return runner(new ThrowingSink());
    }

    @Override
    protected Set<String> expectedMeters() {
        return Set.of("kindling.streaming.input.rows.per.second", "kindling.streaming.processed.rows.per.second",
                "kindling.streaming.batch.duration", "kindling.streaming.state.rows", "kindling.streaming.input.rows",
                "kindling.streaming.dead.letters", "kindling.streaming.restarts", "kindling.streaming.up");
    }

    /** A sink whose first micro-batch throws the contract's Error on the query's thread. */
    static final class ThrowingSink implements StreamWritable {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public DeliveryGuarantee guarantee() {
            return DeliveryGuarantee.AT_LEAST_ONCE;
        }

        @Override
        public DataStreamWriter<Row> writeStream(Dataset<Row> data) {
            VoidFunction2<Dataset<Row>, Long> f = (batch, id) -> {
                throw new ComponentContract.ContractError();
            };
            return data.writeStream().foreachBatch(f);
        }
    }
}
