package dev.kindling.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
import dev.kindling.service.ProblemException;
import dev.kindling.service.QueryParams;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The hostile-input battery passes a careful service and catches a careless one. */
@KindlingSparkTest
class HostileInputsIT {

    private static int n(JsonNode body) {
        JsonNode n = body == null ? null : body.get("n");
        if (body == null || !body.isObject() || n == null || !n.isInt() || n.asInt() < 0 || n.asInt() > 1000) {
            throw ProblemException.badRequest("the body is {\"n\": 0..1000}");
        }
        return n.asInt();
    }

    private static KindlingService service(SparkSession spark, boolean careless) {
        return KindlingService.builder("target").spark(spark)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.auth.token", "t0ken-hostile")))
                .routes(r -> r.post("/things", ctx -> {
                    JsonNode body;
                    try {
                        body = Json.mapper().readTree(ctx.body());
                    } catch (java.io.IOException e) {
                        throw ProblemException.badRequest("malformed JSON");
                    }
                    ctx.json(Map.of("n", careless ? body.get("n").asInt() / body.get("n").asInt() : n(body)));
                }).get("/things", ctx -> ctx.json(Map.of("n", QueryParams.integer(ctx, "n", 1, 0, 1000))))
                        .sse("/events", client -> client.keepAlive()))
                .build().start();
    }

    @Test
    void aCarefulServicePasses(SparkSession spark) {
        try (KindlingService s = service(spark, false)) {
            List<String> violations = HostileInputs.against(s.port()).token("t0ken-hostile")
                    .post("/things", "{\"n\": 3}").get("/things?n=3").stream("/events").healthyAfter("/things?n=4").run();
            assertThat(violations).isEmpty();
        }
    }

    @Test
    void aCarelessServiceIsCaught(SparkSession spark) {
        try (KindlingService s = service(spark, true)) {
            List<String> violations = HostileInputs.against(s.port()).token("t0ken-hostile")
                    .post("/things", "{\"n\": 3}").healthyAfter("/things?n=4").run();
            assertThat(violations).anyMatch(v -> v.startsWith("POST /things with n=\"x\": 500"))
                    .anyMatch(v -> v.startsWith("POST /things with body []: 500"));
        }
    }
}
