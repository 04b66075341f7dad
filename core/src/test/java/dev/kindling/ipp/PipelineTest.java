package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.connect.Connectors;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private final Connectors connectors = Connectors.builtIn();

    @Test
    void buildsAValidBatchPipeline() {
        Pipeline p = Pipeline.builder(PipelineKind.BATCH).name("evens")
                .source(connectors.source("range:10"))
                .process(Processor.filter("id % 2 = 0"))
                .sink(connectors.sink("console:"))
                .build();
        assertThat(p.name()).isEqualTo("evens");
        assertThat(p.processors()).hasSize(1);
        assertThat(p.toString()).isEqualTo("Pipeline[evens, BATCH: range:0..10 -> 1 processor(s) -> console:?rows=20]");
    }

    @Test
    void missingSourceOrSinkIsNamed() {
        assertThatThrownBy(() -> Pipeline.builder(PipelineKind.BATCH).name("p").sink(connectors.sink("console:")).build())
                .isInstanceOf(ConfigurationException.class).hasMessage("pipeline 'p' has no source: call source(...)");
        assertThatThrownBy(() -> Pipeline.builder(PipelineKind.BATCH).name("p").source(connectors.source("range:3")).build())
                .isInstanceOf(ConfigurationException.class).hasMessage("pipeline 'p' has no sink: call sink(...)");
    }

    @Test
    void lackingCapabilityNamesComponentCapabilityAndPattern() {
        assertThatThrownBy(() -> Pipeline.builder(PipelineKind.INCREMENTAL).name("cycle")
                .source(connectors.source("range:3")).sink(connectors.sink("console:")).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("source 'range:0..3' cannot be used in a continuous batch pipeline ('cycle'): it lacks the "
                        + "incremental read since a watermark capability (IncrementalReadable)");
        assertThatThrownBy(() -> Pipeline.builder(PipelineKind.BATCH).name("b")
                .source(connectors.source("range:3")).sink(new Sink() {
                    public String name() {
                        return "nowhere";
                    }

                    public DeliveryGuarantee guarantee() {
                        return DeliveryGuarantee.BEST_EFFORT;
                    }
                }).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("sink 'nowhere' cannot be used in a on-demand batch pipeline ('b'): it lacks the batch write capability (BatchWritable)");
    }

    @Test
    void setterRejectsNull() {
        assertThatThrownBy(() -> Pipeline.builder(PipelineKind.BATCH).source(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Pipeline.builder(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void sqlProcessorNeedsAQuery() {
        assertThatThrownBy(() -> Processor.sql(" ")).isInstanceOf(ConfigurationException.class).hasMessageContaining("SELECT * FROM input");
        assertThatThrownBy(() -> Processor.filter("")).isInstanceOf(ConfigurationException.class);
    }
}
