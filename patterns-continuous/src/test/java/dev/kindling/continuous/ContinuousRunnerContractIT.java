package dev.kindling.continuous;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.service.Component;
import dev.kindling.testkit.ComponentContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/** The component contract for the continuous runner: an incremental pipeline over a counting source, a memory table and a watermark file. */
class ContinuousRunnerContractIT extends ComponentContract {

    private static ContinuousRunner.Builder runner(String name, Pipeline.Builder pipeline) throws Exception {
        Path dir = Files.createTempDirectory("kindling-continuous-contract-");
        return ContinuousRunner.builder(pipeline.name(name).source(new Fixtures.CountingSource(5))
                        .sink(Connectors.builtIn().sink("memory:" + name + "?mode=overwrite")).build())
                .watermarkStore(new FileWatermarkStore(dir.resolve(name + ".watermark")))
                .interval(Duration.ofHours(1));
    }

    @Override
    protected Component newComponent(SparkSession spark) throws Exception {
        return runner("contract_cycles", Pipeline.builder(PipelineKind.INCREMENTAL)).build();
    }

    @Override
    protected Component failingComponent(SparkSession spark) throws Exception {
        return runner("contract_failing", Pipeline.builder(PipelineKind.INCREMENTAL).process(input -> {
            throw new ContractError();
        })).build();
    }

    @Override
    protected Set<String> expectedMeters() {
        return Set.of("kindling.continuous.cycles", "kindling.continuous.rows.read", "kindling.continuous.rows.written",
                "kindling.continuous.dead.letters", "kindling.continuous.cycle.duration", "kindling.continuous.lag.seconds",
                "kindling.continuous.consecutive.failures");
    }
}
