package dev.kindling.ondemand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.service.Json;
import dev.kindling.testkit.JsonHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Controlling running jobs over a real socket: cancel, a full queue, timeouts, event streams and the metrics they leave. */
class JobControlIT extends OnDemandFixture {
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
        JsonHttp.Response next = http.post("/jobs/count?wait=30s", "{\"n\": 6}");
        assertThat(next.json().get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(http.delete("/jobs/" + spin).status()).isEqualTo(409);
        assertThat(http.delete("/jobs/" + next.json().get("id").asText()).status()).isEqualTo(409);
    }

    @Test
    void cancellingAJobThatBlocksInTheDriverInterruptsItsThread() {
        NAP_INTERRUPTED.set(false);
        String nap = http.post("/jobs/nap", "{}").json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + nap).json().get("state").asText().equals("RUNNING"));

        JsonHttp.Response cancelled = http.delete("/jobs/" + nap);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(NAP_INTERRUPTED).isTrue();
        assertThat(http.post("/jobs/count?wait=30s", "{\"n\": 4}").json().get("state").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aJobThatIgnoresItsInterruptIsCancellingAndKeepsItsWorkerUntilItsCodeReturns() {
        STUBBORN_RELEASE.set(false);
        STUBBORN_THREAD.set(null);
        String stubborn = http.post("/jobs/stubborn", "{}").json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> STUBBORN_THREAD.get() != null);
        try {
            JsonHttp.Response cancelling = http.delete("/jobs/" + stubborn);
            assertThat(cancelling.status()).isEqualTo(202);
            assertThat(cancelling.json().get("state").asText()).isEqualTo("CANCELLING");
            assertThat(STUBBORN_THREAD.get().isInterrupted()).isTrue();
            // a second cancel is no conflict: the job has not ended
            assertThat(http.delete("/jobs/" + stubborn).json().get("state").asText()).isEqualTo("CANCELLING");

            // the only worker slot is still the stubborn job's: the next job waits in the queue
            String next = http.post("/jobs/count", "{\"n\": 6}").json().get("id").asText();
            assertThat(http.get("/jobs/" + next).json().get("state").asText()).isEqualTo("QUEUED");
            assertThat(http.get("/jobs?state=RUNNING").json().get("total").asInt()).isZero();
            assertThat(http.get("/jobs?state=CANCELLING").json().get("total").asInt()).isEqualTo(1);

            STUBBORN_RELEASE.set(true);
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + next).json().get("state").asText().equals("SUCCEEDED"));
            JsonNode ended = http.get("/jobs/" + stubborn).json();
            assertThat(ended.get("state").asText()).isEqualTo("CANCELLED");
            assertThat(ended.has("result")).isFalse();
            // its thread went back to the pool: no job code runs any more, so nothing spins
            await().atMost(Duration.ofSeconds(20)).until(() -> STUBBORN_THREAD.get().getState() != Thread.State.RUNNABLE);
        } finally {
            STUBBORN_RELEASE.set(true);
        }
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
        JsonHttp.Response after = http.post("/jobs/count?wait=30s", "{\"n\": 2}");
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
            assertThat(rejected.json().get("detail").asText()).isEqualTo("the job queue is full (2 jobs waiting); retry after 1 s");
        } finally {
            pool.shutdownNow();
        }
        http.delete("/jobs/" + spin);
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs?state=QUEUED").json().get("total").asInt() == 0
                && http.get("/jobs?state=RUNNING").json().get("total").asInt() == 0);
    }

    @Test
    void aJobPastItsTimeoutFailsWithReasonTimeoutAndItsSparkWorkIsCancelled() {
        JsonHttp.Response r = http.post("/jobs/spin?timeout=1500ms", "{\"partitions\": 2}");
        String id = r.json().get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("FAILED"));
        assertThat(http.get("/jobs/" + id).json().get("error")).isEqualTo(Json.mapper().valueToTree(Map.of("type", "timeout",
                "message", "the job ran longer than its timeout of 1500 ms; its Spark work was cancelled")));
        await().atMost(Duration.ofSeconds(20)).until(() -> spark.sparkContext().statusTracker().getActiveJobIds().length == 0);
        assertThat(http.post("/jobs/count?wait=30s", "{\"n\": 2}").json().get("state").asText()).isEqualTo("SUCCEEDED");
    }

    /** An open event stream's lines; Server-Sent Events need {@code Accept: text/event-stream}. */
    private static Iterator<String> openEvents(String path) throws Exception {
        HttpResponse<Stream<String>> stream = http.events(path);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        return stream.body().iterator();
    }

    /** The next {@code max} events (event, data) of a stream, or fewer when it ends. */
    private static List<String[]> read(Iterator<String> lines, int max) {
        List<String[]> events = new ArrayList<>();
        String[] current = new String[2];
        while (events.size() < max && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("event: ")) {
                current[0] = line.substring(7);
            } else if (line.startsWith("data: ")) {
                current[1] = line.substring(6);
            } else if (line.isEmpty() && current[0] != null) {
                events.add(current);
                current = new String[2];
            }
        }
        return events;
    }

    @Test
    void eventsStreamEveryStateChangeAndProgressThenTheResultAndClose() throws Exception {
        String spin = startSpin();
        String id = http.post("/jobs/progress", "{}").json().get("id").asText();
        Iterator<String> stream = openEvents("/jobs/" + id + "/events");
        List<String[]> events = new ArrayList<>(read(stream, 1));
        http.delete("/jobs/" + spin);
        events.addAll(read(stream, Integer.MAX_VALUE));
        assertThat(stream.hasNext()).isFalse(); // the stream closed by itself after the final event
        assertThat(events.get(0)[0]).isEqualTo("state");
        assertThat(json(events.get(0)[1]).get("state").asText()).isEqualTo("QUEUED");
        assertThat(events.get(1)[0]).isEqualTo("state");
        assertThat(json(events.get(1)[1]).get("state").asText()).isEqualTo("RUNNING");
        assertThat(events.stream().filter(e -> e[0].equals("progress")).map(e -> json(e[1]).get("message").asText())
                .toList()).contains("half");
        String[] last = events.get(events.size() - 1);
        String[] beforeLast = events.get(events.size() - 2);
        assertThat(beforeLast[0]).isEqualTo("state");
        assertThat(json(beforeLast[1]).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(last[0]).isEqualTo("result");
        assertThat(json(last[1]).get("result").asText()).isEqualTo("counted 1000");
        assertThat(events.stream().map(e -> e[0]).filter(t -> !t.equals("state") && !t.equals("progress")).toList())
                .containsExactly("result");

        // a stream of an ended job gives its state and the final event at once; an unknown id is a 404 before any stream
        assertThat(read(openEvents("/jobs/" + id + "/events"), 10).stream().map(e -> e[0]).toList()).containsExactly("state", "result");
        HttpResponse<Stream<String>> unknown = http.events("/jobs/no-such-id/events");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(unknown.body().collect(Collectors.joining()))
                .contains("\"detail\":\"no job has the id 'no-such-id'\"");
    }

    @Test
    void metricsCountEverySubmissionRejectionAndEnd() {
        assertThat(http.post("/jobs/metered?wait=30s", "{\"n\": 5}").json().get("result").asLong()).isEqualTo(5L);
        String spin = startSpin();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonHttp.Response r = http.post("/jobs/metered", "{\"n\": 7}");
            assertThat(r.status()).isEqualTo(202);
            queued.add(r.json().get("id").asText());
        }
        for (int i = 0; i < 3; i++) {
            assertThat(http.post("/jobs/metered", "{\"n\": 7}").status()).isEqualTo(429);
        }
        String whileFull = http.get("/metrics").body();
        assertThat(whileFull).contains("kindling_ondemand_jobs_queued{pipeline=\"metered\",service=\"ondemand-it\"} 2.0\n");
        http.delete("/jobs/" + spin);
        for (String id : queued) {
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/jobs/" + id).json().get("state").asText().equals("SUCCEEDED"));
        }
        String metrics = http.get("/metrics").body();
        List<String> lines = metrics.lines().filter(l -> l.startsWith("kindling_ondemand_") && l.contains("pipeline=\"metered\"")
                && !l.contains("_bucket{") && !l.contains("duration_seconds_max")).sorted().toList();
        assertThat(lines).containsExactly(
                "kindling_ondemand_jobs_duration_seconds_count{pipeline=\"metered\",service=\"ondemand-it\",state=\"SUCCEEDED\"} 3",
                lineOf(metrics, "kindling_ondemand_jobs_duration_seconds_sum{pipeline=\"metered\",service=\"ondemand-it\",state=\"SUCCEEDED\"}"),
                "kindling_ondemand_jobs_finished_total{pipeline=\"metered\",service=\"ondemand-it\",state=\"CANCELLED\"} 0.0",
                "kindling_ondemand_jobs_finished_total{pipeline=\"metered\",service=\"ondemand-it\",state=\"FAILED\"} 0.0",
                "kindling_ondemand_jobs_finished_total{pipeline=\"metered\",service=\"ondemand-it\",state=\"SUCCEEDED\"} 3.0",
                "kindling_ondemand_jobs_queued{pipeline=\"metered\",service=\"ondemand-it\"} 0.0",
                "kindling_ondemand_jobs_rejected_total{pipeline=\"metered\",service=\"ondemand-it\"} 3.0",
                "kindling_ondemand_jobs_running{pipeline=\"metered\",service=\"ondemand-it\"} 0.0",
                "kindling_ondemand_jobs_submitted_total{pipeline=\"metered\",service=\"ondemand-it\"} 3.0",
                "kindling_ondemand_schedule_skipped_total{pipeline=\"metered\",service=\"ondemand-it\"} 0.0",
                "kindling_ondemand_store_failures_total{pipeline=\"metered\",service=\"ondemand-it\"} 0.0");
        assertThat(metrics).contains("kindling_ondemand_workers{pipeline=\"jobs\",service=\"ondemand-it\"} 1.0\n");
    }

    private static String lineOf(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix + " ")).findFirst().orElseThrow();
    }
}
