package dev.kindling.ondemand.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.ondemand.InvalidParamsException;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsBinderTest {
    record Params(Long samples, Integer partitions) {
        Params {
            samples = samples == null ? 100L : samples;
            if (partitions != null && partitions < 1) {
                throw new InvalidParamsException("partitions", "1..10", partitions);
            }
        }
    }

    private static final JobDefinition<Params, String> JOB = JobDefinition.builder("pi", Params.class, (ctx, p) -> "x")
            .validator(p -> {
                if (p.samples() > 1000) {
                    throw new InvalidParamsException("samples", "1..1000", p.samples());
                }
            }).build();

    private static Problem problemOf(String body) {
        try {
            ParamsBinder.bind(JOB, ParamsBinder.parseBody(body));
        } catch (ProblemException e) {
            return e.problem();
        }
        throw new AssertionError("no problem for " + body);
    }

    @Test
    void bindsJsonAndQueryParamsWithDefaults() {
        assertThat(ParamsBinder.bind(JOB, ParamsBinder.parseBody("{\"samples\": 5, \"partitions\": 2}"))).isEqualTo(new Params(5L, 2));
        assertThat(ParamsBinder.bind(JOB, ParamsBinder.parseBody(""))).isEqualTo(new Params(100L, null));
        JsonNode query = ParamsBinder.fromQuery(Map.of("samples", List.of("7", "8")));
        assertThat(ParamsBinder.bind(JOB, query)).isEqualTo(new Params(7L, null));
        assertThat(ParamsBinder.toJson(new Params(5L, 2))).isEqualTo("{\"samples\":5,\"partitions\":2}");
    }

    @Test
    void eachBadInputNamesTheField() {
        assertThat(problemOf("{\"samples\": 5000}").toMap()).isEqualTo(Map.of("type", "about:blank", "title", "Invalid params",
                "status", 400, "detail", "'samples' is 5000; allowed: 1..1000", "field", "samples", "allowed", "1..1000"));
        assertThat(problemOf("{\"partitions\": 0}").extra()).isEqualTo(Map.of("field", "partitions", "allowed", "1..10"));
        assertThat(problemOf("{\"samples\": \"x\"}").extra()).isEqualTo(Map.of("field", "samples", "allowed", "a value of type Long"));
        assertThat(problemOf("{\"seed\": 1}").extra()).isEqualTo(Map.of("field", "seed", "allowed", "partitions, samples"));
        assertThat(problemOf("{\"samples\": 1").detail()).startsWith("malformed JSON: ");
        assertThat(problemOf("{} {}").detail()).startsWith("malformed JSON: ");
        assertThat(problemOf("[1]").detail()).isEqualTo("the params of job 'pi' are a JSON object; got array");
    }

    @Test
    void jobNamesAreChecked() {
        assertThatThrownBy(() -> JobDefinition.builder("Bad Name", Params.class, (ctx, p) -> 1).build())
                .hasMessageStartingWith("job name 'Bad Name' is not allowed");
        assertThatThrownBy(() -> JobDefinition.builder("pi", Params.class, (ctx, p) -> 1).timeout(java.time.Duration.ZERO))
                .hasMessage("job 'pi': timeout must be positive; got PT0S");
    }
}
