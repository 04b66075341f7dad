package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.ipp.Processor;
import dev.kindling.service.ControlPlane;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole HTTP API of the on-demand pattern, over a real socket, on a real local Spark. One worker, a queue of two. */
@KindlingSparkTest
class OnDemandServiceIT {
    static final String TOKEN = "s3cret";

    record CountParams(Long n) {
    }

    record CountResult(long n, long evens) {
    }

    record SpinParams(Integer partitions) {
    }

    static OnDemandService service;
    static JsonHttp http;
    static SparkSession spark;

    @BeforeAll
    static void start(SparkSession session) {
        spark = session;
        JobDefinition<CountParams, CountResult> count = JobDefinition.builder("count", CountParams.class,
                        (ctx, p) -> new CountResult(p.n(), ctx.spark().range(p.n()).filter("id % 2 = 0").count()))
                .validator(p -> {
                    if (p.n() == null || p.n() < 1 || p.n() > 1_000_000) {
                        throw new InvalidParamsException("n", "1..1000000", p.n());
                    }
                })
                .warmUp(new CountParams(10L))
                .build();
        // Runs until cancelled: 10^13 random numbers summed.
        JobDefinition<SpinParams, Double> spin = JobDefinition.builder("spin", SpinParams.class,
                (ctx, p) -> ctx.spark().range(0, 10_000_000_000_000L, 1, p.partitions() == null ? 4 : p.partitions())
                        .where("rand() > 0.5").count() * 1.0).build();
        JobDefinition<Map<String, Object>, String> progress = JobDefinition.<Map<String, Object>, String>builder("progress",
                castMap(), (ctx, p) -> {
                    ctx.reportProgress(0.5, "half");
                    long n = ctx.spark().range(0, 1000, 1, 4).count();
                    return "counted " + n;
                }).build();
        JobDefinition<Map<String, Object>, String> boom = JobDefinition.<Map<String, Object>, String>builder("boom", castMap(),
                (ctx, p) -> {
                    throw new IllegalStateException("boom at " + ctx.jobName());
                }).build();
        service = OnDemandService.builder("ondemand-it")
                .settings(Settings.of(Map.ofEntries(
                        Map.entry("kindling.http.port", "0"),
                        Map.entry("kindling.http.host", "127.0.0.1"),
                        Map.entry("kindling.http.max-request-bytes", "2000"),
                        Map.entry("kindling.auth.token", TOKEN),
                        Map.entry("kindling.ondemand.workers", "1"),
                        Map.entry("kindling.ondemand.queue-capacity", "2"),
                        Map.entry("kindling.ondemand.max-wait", "30s"),
                        Map.entry("kindling.ondemand.max-timeout", "60s"),
                        Map.entry("kindling.ondemand.progress-interval", "50ms"),
                        Map.entry("kindling.shutdown.grace", "2s"))))
                .spark(session)
                .job(count)
                .job(spin)
                .job(progress)
                .job(boom)
                .job(JobDefinition.rows("double", Processor.sql("SELECT id, id * 2 AS twice FROM input ORDER BY id"), 2))
                .syncRoute("/count", "count")
                .build()
                .start();
        http = new JsonHttp(service.port(), TOKEN);
        await().atMost(Duration.ofSeconds(60)).until(() -> http.get("/readyz").status() == 200);
    }

    @SuppressWarnings("unchecked")
    private static Class<Map<String, Object>> castMap() {
        return (Class<Map<String, Object>>) (Class<?>) Map.class;
    }

    @AfterAll
    static void stop() {
        service.shutdown();
    }

    @AfterEach
    void cancelLeftovers() {
        for (JsonNode job : http.get("/jobs?limit=100").json().get("jobs")) {
            String state = job.get("state").asText();
            if (state.equals("QUEUED") || state.equals("RUNNING")) {
                http.delete("/jobs/" + job.get("id").asText());
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
    }

    private static JsonNode json(String text) throws Exception {
        return ControlPlane.json().readTree(text);
    }

    private static String startSpin() {
        JsonHttp.Response r = http.post("/jobs/spin", "{\"partitions\": 4}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode j = http.get("/jobs/" + id).json();
            return j.get("state").asText().equals("RUNNING") && j.get("progress").get("tasksTotal").asInt() > 0;
        });
        return id;
    }

    @Test
    void readinessCameAfterTheWarmUpAndJobsRunInTheirFairPool() {
        JsonHttp.Response ready = http.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("checks").get("spark").asText()).isEqualTo("ready");
        assertThat(spark.sparkContext().getSchedulingMode().toString()).isEqualTo("FAIR");
        assertThat(http.post("/jobs/count?wait=20s", "{\"n\": 4}").status()).isEqualTo(200);
        assertThat(spark.sparkContext().getPoolForName("count").isDefined()).isTrue();
    }

    @Test
    void postWithWaitAnswersTheFinishedJob() throws Exception {
        JsonHttp.Response r = http.post("/jobs/count?wait=20s", "{\"n\": 10}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(j.get("name").asText()).isEqualTo("count");
        assertThat(j.get("result")).isEqualTo(json("{\"n\":10,\"evens\":5}"));
        assertThat(j.get("progress").get("percent").asDouble()).isEqualTo(100.0);
        assertThat(j.get("startedAt").isTextual()).isTrue();
        assertThat(j.get("finishedAt").isTextual()).isTrue();
        assertThat(j.has("error")).isFalse();
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
    void aFailingJobEndsFailedWithItsError() {
        JsonHttp.Response r = http.post("/jobs/boom?wait=20s", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("state").asText()).isEqualTo("FAILED");
        assertThat(r.json().get("error").get("type").asText()).isEqualTo("IllegalStateException");
        assertThat(r.json().get("error").get("message").asText()).isEqualTo("boom at boom");
        assertThat(r.json().has("result")).isFalse();
    }

    @Test
    void rowsJobTakesTheBodyAsItsSourceAndAnswersTheRows() throws Exception {
        JsonHttp.Response r = http.post("/jobs/double?wait=20s", "[{\"id\": 3}, {\"id\": 1}, {\"id\": 2}]");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("result")).isEqualTo(json("{\"rows\":[{\"id\":1,\"twice\":2},{\"id\":2,\"twice\":4}],\"truncated\":true}"));
        JsonHttp.Response bad = http.post("/jobs/double?wait=20s", "[1, 2]");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("[0]");
    }

    @Test
    void badInputGetsAClearErrorAndNothingIsQueued() {
        int before = http.get("/jobs?limit=100").json().get("total").asInt();
        JsonHttp.Response unknownJob = http.post("/jobs/nope", "{}");
        assertThat(unknownJob.status()).isEqualTo(404);
        assertThat(unknownJob.header("Content-Type")).startsWith("application/problem+json");
        assertThat(unknownJob.json().get("detail").asText()).startsWith("no job is named 'nope'");

        assertThat(http.get("/jobs/no-such-id").status()).isEqualTo(404);
        assertThat(http.delete("/jobs/no-such-id").status()).isEqualTo(404);
        assertThat(http.get("/jobs/no-such-id/events").status()).isEqualTo(404);

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

        JsonHttp.Response notAnObject = http.post("/jobs/count", "[1]");
        assertThat(notAnObject.status()).isEqualTo(400);

        JsonHttp.Response tooBig = http.post("/jobs/count", "{\"n\": 1, \"pad\": \"" + "x".repeat(3000) + "\"}");
        assertThat(tooBig.status()).isEqualTo(413);

        assertThat(http.method("PUT", "/jobs/count").status()).isEqualTo(405);
        assertThat(http.method("PATCH", "/jobs/some-id").status()).isEqualTo(405);

        JsonHttp.Response noToken = http.postWithoutToken("/jobs/count", "{\"n\": 1}");
        assertThat(noToken.status()).isEqualTo(401);

        JsonHttp.Response badWait = http.post("/jobs/count?wait=soon", "{\"n\": 1}");
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.json().get("field").asText()).isEqualTo("wait");
        JsonHttp.Response longWait = http.post("/jobs/count?wait=31s", "{\"n\": 1}");
        assertThat(longWait.status()).isEqualTo(400);
        assertThat(longWait.json().get("allowed").asText()).isEqualTo("1ms..30000ms");
        JsonHttp.Response longTimeout = http.post("/jobs/count?timeout=2m", "{\"n\": 1}");
        assertThat(longTimeout.status()).isEqualTo(400);
        assertThat(longTimeout.json().get("field").asText()).isEqualTo("timeout");

        JsonHttp.Response badState = http.get("/jobs?state=DONE");
        assertThat(badState.status()).isEqualTo(400);
        assertThat(badState.json().get("field").asText()).isEqualTo("state");
        assertThat(http.get("/jobs?limit=0").status()).isEqualTo(400);
        assertThat(http.get("/jobs?limit=101").status()).isEqualTo(400);

        assertThat(http.get("/jobs?limit=100").json().get("total").asInt()).isEqualTo(before);
    }

    @Test
    void cancellingARunningJobCancelsItsSparkTasksAndFreesTheWorker() {
        String spin = startSpin();
        int[] sparkJobs = spark.sparkContext().statusTracker().getJobIdsForGroup(spin);
        assertThat(sparkJobs).isNotEmpty();

        JsonHttp.Response cancelled = http.delete("/jobs/" + spin);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.json().has("error")).isFalse();

        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
        for (int id : spark.sparkContext().statusTracker().getJobIdsForGroup(spin)) {
            assertThat(spark.sparkContext().statusTracker().getJobInfo(id).get().status().toString()).isEqualTo("FAILED");
        }
        // the only worker is free again: the next job runs
        JsonHttp.Response next = http.post("/jobs/count?wait=20s", "{\"n\": 6}");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(http.delete("/jobs/" + spin).status()).isEqualTo(409);
        assertThat(http.delete("/jobs/" + next.json().get("id").asText()).status()).isEqualTo(409);
    }

    @Test
    void aCancelledQueuedJobNeverStarts() {
        String spin = startSpin();
        JsonHttp.Response queued = http.post("/jobs/count", "{\"n\": 8}");
        String id = queued.json().get("id").asText();
        assertThat(queued.json().get("state").asText()).isEqualTo("QUEUED");
        JsonHttp.Response cancelled = http.delete("/jobs/" + id);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(http.delete("/jobs/" + spin).status()).isEqualTo(200);
        JsonHttp.Response after = http.post("/jobs/count?wait=20s", "{\"n\": 2}");
        assertThat(after.json().get("state").asText()).isEqualTo("SUCCEEDED");
        JsonNode never = http.get("/jobs/" + id).json();
        assertThat(never.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(never.get("startedAt").isNull()).isTrue();
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndNever5xx() throws Exception {
        String spin = startSpin();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonHttp.Response>> posts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                posts.add(pool.submit(() -> http.post("/jobs/count", "{\"n\": 3}")));
            }
            List<JsonHttp.Response> responses = new ArrayList<>();
            for (Future<JsonHttp.Response> f : posts) {
                responses.add(f.get());
            }
            Map<Integer, Long> byStatus = responses.stream().collect(Collectors.groupingBy(JsonHttp.Response::status, Collectors.counting()));
            assertThat(byStatus).isEqualTo(Map.of(202, 2L, 429, 14L));
            JsonHttp.Response rejected = responses.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
            assertThat(rejected.header("Retry-After")).isEqualTo("1");
            assertThat(rejected.json().get("detail").asText()).startsWith("the job queue is full (2 jobs waiting)");
        } finally {
            pool.shutdownNow();
        }
        assertThat(http.get("/metrics").body()).contains("kindling_ondemand_jobs_rejected_total{job=\"count\",service=\"ondemand-it\"}");
        http.delete("/jobs/" + spin);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs?state=SUCCEEDED&name=count&limit=100").json().get("total").asInt() >= 2
                && http.get("/jobs?state=QUEUED").json().get("total").asInt() == 0);
    }

    @Test
    void aJobPastItsTimeoutFailsWithReasonTimeoutAndItsSparkWorkIsCancelled() {
        JsonHttp.Response r = http.post("/jobs/spin?timeout=1500ms", "{\"partitions\": 2}");
        String id = r.json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("FAILED"));
        JsonNode j = http.get("/jobs/" + id).json();
        assertThat(j.get("error").get("type").asText()).isEqualTo("timeout");
        assertThat(j.get("error").get("message").asText()).isEqualTo("the job ran longer than its timeout of 1500 ms; its Spark work was cancelled");
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
        assertThat(http.post("/jobs/count?wait=20s", "{\"n\": 2}").json().get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void eventsStreamEveryStateChangeAndProgressThenTheResultAndClose() throws Exception {
        String spin = startSpin();
        String id = http.post("/jobs/progress", "{}").json().get("id").asText();
        HttpResponse<java.util.stream.Stream<String>> stream = http.lines("/jobs/" + id + "/events");
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        http.delete("/jobs/" + spin);
        List<String[]> events = new ArrayList<>();
        String[] current = new String[2];
        for (String line : (Iterable<String>) stream.body()::iterator) {
            if (line.startsWith("event: ")) {
                current[0] = line.substring(7);
            } else if (line.startsWith("data: ")) {
                current[1] = line.substring(6);
            } else if (line.isEmpty() && current[0] != null) {
                events.add(current);
                current = new String[2];
            }
        }
        // the stream closed by itself after the final event
        assertThat(events.get(0)[0]).isEqualTo("state");
        assertThat(json(events.get(0)[1]).get("state").asText()).isEqualTo("QUEUED");
        assertThat(events.get(1)[0]).isEqualTo("state");
        assertThat(json(events.get(1)[1]).get("state").asText()).isEqualTo("RUNNING");
        boolean sawHalf = false;
        for (String[] e : events) {
            if (e[0].equals("progress")) {
                JsonNode p = json(e[1]);
                sawHalf |= p.get("percent").asDouble() == 50.0 && p.get("message").asText().equals("half");
            }
        }
        assertThat(sawHalf).isTrue();
        String[] last = events.get(events.size() - 1);
        String[] beforeLast = events.get(events.size() - 2);
        assertThat(beforeLast[0]).isEqualTo("state");
        assertThat(json(beforeLast[1]).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(last[0]).isEqualTo("result");
        assertThat(json(last[1]).get("result").asText()).isEqualTo("counted 1000");
        assertThat(events.stream().map(e -> e[0]).filter(t -> !t.equals("state") && !t.equals("progress")).toList())
                .containsExactly("result");

        // a stream of an ended job gives its state and the final event at once
        HttpResponse<java.util.stream.Stream<String>> again = http.lines("/jobs/" + id + "/events");
        assertThat(again.body().filter(l -> l.startsWith("event: ")).toList()).containsExactly("event: state", "event: result");
    }

    @Test
    void listShowsRecentJobsNewestFirstWithFiltersAndPages() {
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            ids.add(http.post("/jobs/count?wait=20s", "{\"n\": " + n + "}").json().get("id").asText());
        }
        JsonNode page = http.get("/jobs?name=count&state=SUCCEEDED&limit=2").json();
        assertThat(page.get("jobs").size()).isEqualTo(2);
        assertThat(page.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(2));
        assertThat(page.get("jobs").get(1).get("id").asText()).isEqualTo(ids.get(1));
        assertThat(page.get("next").asText()).isEqualTo("/jobs?offset=2&limit=2&state=SUCCEEDED&name=count");
        JsonNode next = http.get(page.get("next").asText()).json();
        assertThat(next.get("jobs").get(0).get("id").asText()).isEqualTo(ids.get(0));
        assertThat(http.get("/jobs?name=boom&state=RUNNING").json().get("jobs").size()).isZero();
    }

    @Test
    void metricsCountJobsByStateAndTimeThem() {
        http.post("/jobs/count?wait=20s", "{\"n\": 5}");
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("kindling_ondemand_jobs_submitted_total{job=\"count\",service=\"ondemand-it\"}");
        assertThat(metrics).contains("kindling_ondemand_jobs_finished_total{job=\"count\",service=\"ondemand-it\",state=\"SUCCEEDED\"}");
        assertThat(metrics).contains("kindling_ondemand_jobs_duration_seconds_bucket{job=\"count\"");
        assertThat(metrics).contains("kindling_ondemand_jobs_running{service=\"ondemand-it\"}");
        assertThat(metrics).contains("kindling_ondemand_jobs_queued{service=\"ondemand-it\"}");
    }
}
