package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ComponentMetersTest {

    @Test
    void namesAndTagsFollowOneScheme() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ComponentMeters m = new ComponentMeters(registry, "continuous", "modeler");
        m.counter("cycles", "cycles run", "outcome", "published").increment(2);
        m.forPipeline("ranks").timer("jobs.duration", "run time");
        assertThat(registry.get("kindling.continuous.cycles").tag("pipeline", "modeler").tag("outcome", "published").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("kindling.continuous.jobs.duration").tag("pipeline", "ranks").timer().count()).isZero();
        assertThat(m.counter("cycles", "cycles run", "outcome", "published").count()).as("the same meter").isEqualTo(2.0);
    }

    @Test
    void rejectsNamesOutsideTheScheme() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThatThrownBy(() -> new ComponentMeters(registry, "On-Demand", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentMeters(registry, "ondemand", "x").counter("Jobs_Submitted", "d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a meter name is dot-separated lower-case words, as in 'jobs.submitted'; got 'Jobs_Submitted'");
    }
}
