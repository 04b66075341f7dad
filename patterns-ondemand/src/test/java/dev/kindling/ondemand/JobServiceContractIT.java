package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;


import dev.kindling.service.Component;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.ComponentContract;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/** The component contract, for the on-demand job service. */
class JobServiceContractIT extends ComponentContract {
    record CountParams(Long n) {
    }

    @Override
    protected Component newComponent(SparkSession spark) {
        return JobService.builder("jobs")
                .job(JobDefinition.builder("count", CountParams.class, (ctx, p) -> ctx.spark().range(p.n()).count())
                        .warmUp(new CountParams(10L)).build())
                .build();
    }

    /** A job whose warm-up run throws the contract's Error on a worker thread: the warm-up fails the component. */
    @Override
    protected Component failingComponent(SparkSession spark) {
        return JobService.builder("jobs")
                .job(JobDefinition.builder("count", CountParams.class, (ctx, p) -> {
                    throw new ContractError();
                }).warmUp(new CountParams(1L)).build())
                .build();
    }

    @Override
    protected Set<String> expectedMeters() {
        return Set.of("kindling.ondemand.jobs.submitted", "kindling.ondemand.jobs.rejected", "kindling.ondemand.jobs.finished",
                "kindling.ondemand.jobs.duration", "kindling.ondemand.jobs.running", "kindling.ondemand.jobs.queued",
                "kindling.ondemand.workers", "kindling.ondemand.store.failures", "kindling.ondemand.schedule.skipped");
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("kindling.ondemand.workers", "2");
    }

    @Override
    protected void exercise(KindlingService service, Component component) throws Exception {
        JobService jobs = (JobService) component;
        String id = jobs.submit("count", Map.of("n", 5)).id();
        // await returns once the job's end is booked (meters included), not merely when its state changed
        assertThat(jobs.await(id, Duration.ofSeconds(60)).state()).isEqualTo(JobState.SUCCEEDED);
    }
}
