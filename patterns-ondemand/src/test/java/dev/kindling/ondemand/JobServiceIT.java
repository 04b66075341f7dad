package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.WriteResult;
import dev.kindling.service.Json;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.spark.scheduler.Schedulable;
import org.junit.jupiter.api.Test;

/** The job API over a real socket: submitting, answers, params, errors, lists, rows and pipeline jobs. */
class JobServiceIT extends OnDemandFixture {
    @Test
    void theServiceDeclaresAFairPoolPerJobSoSparkNeverWarnsAboutOne() {
        assertThat(spark.sparkContext().getSchedulingMode().toString()).isEqualTo("FAIR");
        assertThat(spark.sparkContext().getConf().get("spark.scheduler.allocation.file")).startsWith("file:/");
        for (String job : List.of("count", "spin", "progress", "boom", "metered", "double", "evens")) {
            Schedulable pool = spark.sparkContext().getPoolForName(job).get();
            assertThat(List.of(pool.name(), pool.weight(), pool.minShare(), pool.schedulingMode().toString()))
                    .isEqualTo(List.of(job, 3, 1, "FAIR"));
        }
        assertThat(http.post("/jobs/count?wait=30s", "{\"n\": 4}").json().get("state").asText()).isEqualTo("SUCCEEDED");
        // the warm-up and this job ran in the "count" pool: Spark made up no pool and warned about none
        assertThat(log.from("org.apache.spark.scheduler", Level.WARN)).isEmpty();
        assertThat(log.containing("has not been configured")).isEmpty();
        assertThat(log.containing("run in Spark's default pool")).isEmpty();
    }

    @Test
    void readinessCameAfterTheWarmUpThroughTheJobApi() {
        JsonHttp.Response ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json()).isEqualTo(Json.mapper().valueToTree(Map.of("status", "ready", "checks", Map.of("jobs", "ready"))));
        // the warm-up's run of "count" went through POST /jobs/{name}: it is not listed or counted as a user's job
        assertThat(service.meterRegistry().get("http.server.requests").tag("route", "/jobs/{name}").tag("method", "POST")
                .tag("status", "200").timers().stream().mapToLong(t -> t.count()).sum()).isGreaterThanOrEqualTo(1L);
        JsonNode details = http.get("/status").json().get("components").get("jobs").get("details");
        assertThat(details.get("warmedUp").asBoolean()).isTrue();
        assertThat(details.get("workers").asInt()).isEqualTo(1);
        assertThat(details.get("store").asText()).isEqualTo("none");
    }

    @Test
    void postWithWaitAnswersTheFinishedJob() throws Exception {
        JsonHttp.Response r = http.post("/jobs/count?wait=30s", "{\"n\": 10}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "name", "state", "trigger", "submittedAt", "startedAt", "finishedAt", "durationMs",
                "progress", "result");
        assertThat(j.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(j.get("name").asText()).isEqualTo("count");
        assertThat(j.get("trigger").asText()).isEqualTo("http");
        assertThat(j.get("result")).isEqualTo(json("{\"n\":10,\"evens\":5}"));
        assertThat(j.get("progress").get("percent").asDouble()).isEqualTo(100.0);
        assertThat(j.get("durationMs").asLong()).isEqualTo(java.time.Instant.parse(j.get("finishedAt").asText()).toEpochMilli()
                - java.time.Instant.parse(j.get("startedAt").asText()).toEpochMilli());
    }

    @Test
    void postAnswers202AtOnceAndTheJobCanBePolled() throws Exception {
        JsonHttp.Response r = http.post("/jobs/count", "{\"n\": 100}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("id").asText();
        assertThat(r.header("Location")).isEqualTo("/jobs/" + id);
        List<String> fields = new ArrayList<>();
        r.json().fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "name", "state", "submittedAt");
        assertThat(r.json().get("name").asText()).isEqualTo("count");
        assertThat(r.json().get("state").asText()).isIn("QUEUED", "RUNNING", "SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("SUCCEEDED"));
        assertThat(http.get("/jobs/" + id).json().get("result")).isEqualTo(json("{\"n\":100,\"evens\":50}"));
    }

    @Test
    void syncRouteAnswersTheResultItself() throws Exception {
        JsonHttp.Response r = http.get("/count?n=20");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(json("{\"n\":20,\"evens\":10}"));
        JsonHttp.Response bad = http.get("/count?n=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("n");
    }

    @Test
    void aSyncGetIsBoundedByMaxWaitItsJobEndsWithTheRequestAnd504SaysSo() {
        JobDefinition<JsonNode, String> slow = JobDefinition.builder("slow-read", JsonNode.class, (ctx, p) -> {
            new java.util.concurrent.CountDownLatch(1).await(); // blocks in the driver until its thread is interrupted
            return "never";
        }).readOnly().build();
        try (KindlingService own = KindlingService.builder("bounded-get").spark(spark)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.ondemand.max-wait", "2s", "kindling.ondemand.workers", "1")))
                .component(JobService.builder("reads").job(slow).syncRoute("/slow-read", "slow-read").build()).start()) {
            JsonHttp plain = new JsonHttp(own.port(), null);
            await().atMost(Duration.ofSeconds(90)).until(() -> plain.get("/readyz").status() == 200);
            JsonHttp.Response r = plain.get("/slow-read");
            assertThat(r.status()).as("not 202: a GET leaves no job running behind it; %s", r.body()).isEqualTo(504);
            String id = r.json().get("jobId").asText();
            assertThat(r.json().get("detail").asText()).startsWith("job " + id + " (slow-read) failed: timeout: ");
            assertThat(plain.get("/jobs/" + id).json().get("state").asText()).isEqualTo("FAILED");
        }
    }

    @Test
    void aSyncGetRouteOnlyRunsAJobDeclaredReadOnly() {
        JobDefinition<JsonNode, WriteResult> writes = JobDefinition.pipeline("evens", Pipeline.builder(PipelineKind.BATCH).name("evens")
                .source(Connectors.builtIn().source("range:0..10")).sink(Connectors.builtIn().sink("memory:evens_sync")).build());
        assertThat(writes.readOnly()).isFalse();
        assertThatThrownBy(() -> JobService.builder("s").job(writes).syncRoute("/evens", "evens").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("sync route GET /evens runs job 'evens', which is not declared read-only: a GET must change nothing. "
                        + "Declare it with JobDefinition.Builder.readOnly() if it only reads and computes, or let callers POST /jobs/evens?wait=...");
        assertThat(JobDefinition.query("q", (BatchReadable) Connectors.builtIn().source("range:0..10"), Processor.sql("SELECT * FROM input"), 5)
                .readOnly()).as("SQL over a source only reads").isTrue();
    }

    @Test
    void aFailingJobEndsFailedWithItsError() {
        JsonHttp.Response r = http.post("/jobs/boom?wait=30s", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("FAILED");
        assertThat(r.json().get("error")).isEqualTo(Json.mapper().valueToTree(Map.of("type", "IllegalStateException",
                "message", "boom at boom")));
        assertThat(r.json().has("result")).isFalse();
        assertThat(r.json().has("storeError")).isFalse();
    }

    @Test
    void rowsJobTakesTheBodyAsItsSourceAndAnswersTheRows() throws Exception {
        JsonHttp.Response r = http.post("/jobs/double?wait=30s", "[{\"id\": 3}, {\"id\": 1}, {\"id\": 2}]");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result")).isEqualTo(json("{\"rows\":[{\"id\":1,\"twice\":2},{\"id\":2,\"twice\":4}],\"truncated\":true}"));
        JsonHttp.Response bad = http.post("/jobs/double?wait=30s", "[1, 2]");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("[0]");
    }

    @Test
    void aPipelineJobRunsTheWholePipelineWithAGrowingBatchId() {
        JsonNode first = http.post("/jobs/evens?wait=30s", "").json().get("result");
        JsonNode second = http.post("/jobs/evens?wait=30s", "{}").json().get("result");
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("batchId", "rowsWritten", "deadLetters");
        assertThat(List.of(first.get("rowsWritten").asLong(), first.get("deadLetters").asLong())).isEqualTo(List.of(5L, 0L));
        assertThat(List.of(second.get("rowsWritten").asLong(), second.get("deadLetters").asLong())).isEqualTo(List.of(5L, 0L));
        assertThat(second.get("batchId").asLong()).isGreaterThan(first.get("batchId").asLong());
        // the sink got both batches (the memory sink appends)
        assertThat(spark.table("evens_out").orderBy("id").collectAsList().stream().map(row -> row.getLong(0)).toList())
                .isEqualTo(List.of(0L, 0L, 2L, 2L, 4L, 4L, 6L, 6L, 8L, 8L));
    }

    @Test
    void badParamsAndRoutesGetAClearErrorAndNothingIsQueued() {
        int before = http.get("/jobs?limit=100").json().get("total").asInt();
        JsonHttp.Response unknownJob = http.post("/jobs/nope", "{}");
        assertThat(unknownJob.status()).isEqualTo(404);
        assertThat(unknownJob.header("Content-Type")).startsWith("application/problem+json");
        assertThat(unknownJob.json().get("detail").asText())
                .isEqualTo("no job is named 'nope'; jobs: [boom, count, double, evens, metered, nap, progress, spin, stubborn]");

        assertThat(http.get("/jobs/no-such-id").status()).isEqualTo(404);
        assertThat(http.delete("/jobs/no-such-id").status()).isEqualTo(404);
        assertThat(http.get("/jobs/no-such-id/events").status()).isEqualTo(406);

        JsonHttp.Response malformed = http.post("/jobs/count", "{\"n\": 1");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("detail").asText()).startsWith("malformed JSON");

        JsonHttp.Response outOfRange = http.post("/jobs/count", "{\"n\": 0}");
        assertThat(outOfRange.status()).isEqualTo(400);
        assertThat(outOfRange.json().get("field").asText()).isEqualTo("n");
        assertThat(outOfRange.json().get("allowed").asText()).isEqualTo("1..1000000");
        assertThat(outOfRange.json().get("detail").asText()).isEqualTo("'n' is 0; allowed: 1..1000000");

        JsonHttp.Response wrongType = http.post("/jobs/count", "{\"n\": \"many\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("field").asText()).isEqualTo("n");

        JsonHttp.Response unknownField = http.post("/jobs/count", "{\"n\": 3, \"m\": 1}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("field").asText()).isEqualTo("m");
        assertThat(unknownField.json().get("allowed").asText()).isEqualTo("n");

        assertThat(http.post("/jobs/count", "[1]").status()).isEqualTo(400);
        assertThat(http.post("/jobs/count", "{\"n\": 1, \"pad\": \"" + "x".repeat(3000) + "\"}").status()).isEqualTo(413);
        assertThat(http.method("PUT", "/jobs/count").status()).isEqualTo(405);
        assertThat(http.method("PATCH", "/jobs/some-id").status()).isEqualTo(405);
        assertThat(http.withoutToken().post("/jobs/count", "{\"n\": 1}").status()).isEqualTo(401);

        assertThat(http.get("/jobs?limit=100").json().get("total").asInt()).isEqualTo(before);
    }

    @Test
    void badQueryParametersGetOneKindOfProblemAndNothingIsQueued() {
        int before = http.get("/jobs?limit=100").json().get("total").asInt();
        JsonHttp.Response badWait = http.post("/jobs/count?wait=soon", "{\"n\": 1}");
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.json()).isEqualTo(Json.mapper().valueToTree(Map.of("type", "about:blank", "title", "Invalid parameter",
                "status", 400, "detail", "'wait' is 'soon'; expected a duration from 1ms to 30s, such as 500ms, 10s, 5m",
                "parameter", "wait", "allowed", "a duration from 1ms to 30s, such as 500ms, 10s, 5m")));
        JsonHttp.Response longWait = http.post("/jobs/count?wait=31s", "{\"n\": 1}");
        assertThat(longWait.status()).isEqualTo(400);
        assertThat(longWait.json().get("parameter").asText()).isEqualTo("wait");
        JsonHttp.Response longTimeout = http.post("/jobs/count?timeout=2m", "{\"n\": 1}");
        assertThat(longTimeout.status()).isEqualTo(400);
        assertThat(longTimeout.json().get("parameter").asText()).isEqualTo("timeout");

        JsonHttp.Response badState = http.get("/jobs?state=DONE");
        assertThat(badState.status()).isEqualTo(400);
        assertThat(badState.json().get("parameter").asText()).isEqualTo("state");
        JsonHttp.Response badLimit = http.get("/jobs?limit=0");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.json().get("detail").asText()).isEqualTo("'limit' is '0'; allowed: a whole number from 1 to 100");
        assertThat(http.get("/jobs?limit=101").status()).isEqualTo(400);
        assertThat(http.get("/jobs?offset=-1").status()).isEqualTo(400);
        assertThat(http.get("/jobs?limit=100").json().get("total").asInt()).isEqualTo(before);
    }

    @Test
    void listShowsRecentJobsNewestFirstWithFiltersAndPages() {
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            ids.add(http.post("/jobs/count?wait=30s", "{\"n\": " + n + "}").json().get("id").asText());
        }
        JsonNode page = http.get("/jobs?name=count&state=SUCCEEDED&limit=2").json();
        assertThat(page.get("jobs").size()).isEqualTo(2);
        assertThat(page.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(2));
        assertThat(page.get("jobs").get(1).get("id").asText()).isEqualTo(ids.get(1));
        assertThat(page.get("next").asText()).isEqualTo("/jobs?offset=2&limit=2&state=SUCCEEDED&name=count");
        JsonNode next = http.get(page.get("next").asText()).json();
        assertThat(next.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(0));
        assertThat(http.get("/jobs?name=boom&state=RUNNING").json().get("jobs").size()).isZero();
        // the warm-up run is not listed
        assertThat(http.get("/jobs?limit=100").json().findValuesAsText("trigger")).doesNotContain("warm-up");
    }
}
