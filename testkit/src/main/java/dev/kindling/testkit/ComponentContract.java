package dev.kindling.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kindling.config.Settings;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentState;
import dev.kindling.service.KindlingService;
import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The contract every Kindling {@link Component} meets, as a suite of tests that a component's own
 * test class inherits: it starts and turns ready, its {@code /status} entry has the one shape all
 * patterns share, its meters follow the one naming scheme, it stops within the shutdown deadline,
 * and a {@code Throwable} on its own thread moves it to FAILED, turns readiness down and, after the
 * liveness grace, liveness too.
 *
 * <pre>{@code
 * class ContinuousRunnerContractIT extends ComponentContract {
 *     protected Component newComponent(SparkSession spark) { return ContinuousRunner.builder(pipeline()).build(); }
 *     protected Component failingComponent(SparkSession spark) { return runnerWhoseProcessorThrows(new ContractError()); }
 *     protected Set<String> expectedMeters() { return Set.of("kindling.continuous.cycles"); }
 * }
 * }</pre>
 *
 * <p>Each test runs the component in a {@link KindlingService} of its own on a free port of
 * 127.0.0.1, on the shared SparkSession of {@link KindlingSparkTest}, and shuts it down at the end.
 */
@KindlingSparkTest
public abstract class ComponentContract {
    /** The service name the suite runs components under (the {@code service} tag). */
    public static final String SERVICE = "contract";

    /** The Error a {@link #failingComponent} should throw on its own thread. */
    public static final class ContractError extends Error {
        private static final long serialVersionUID = 1L;

        public ContractError() {
            super("thrown on purpose by the component contract");
        }
    }

    /** A new component, not started, that turns ready on its own. */
    protected abstract Component newComponent(SparkSession spark) throws Exception;

    /**
     * A new component, not started, on whose own thread a {@link ContractError} is thrown soon after it
     * starts (a processor, a job store, a sink that throws it: whatever reaches that thread).
     */
    protected abstract Component failingComponent(SparkSession spark) throws Exception;

    /** Meter names ({@code kindling.<pattern>.<what>}) the component registers by the time it is ready. */
    protected abstract Set<String> expectedMeters();

    /** Settings for the service; the suite adds a free port on 127.0.0.1, a 10s shutdown grace and a 1s liveness grace. */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /** How long the component may take to turn ready; default 2 minutes. */
    protected Duration readyTimeout() {
        return Duration.ofMinutes(2);
    }

    /** Work to do once the component is ready, before the meters are checked (submit a job, say). Default none. */
    protected void exercise(KindlingService service, Component component) throws Exception {
    }

    private KindlingService service(SparkSession spark, Component component) {
        Map<String, String> s = new HashMap<>(settings());
        s.putIfAbsent("kindling.http.port", "0");
        s.putIfAbsent("kindling.http.host", "127.0.0.1");
        s.putIfAbsent("kindling.shutdown.grace", "10s");
        s.putIfAbsent("kindling.service.liveness-failure-grace", "1s");
        return KindlingService.builder(SERVICE).settings(Settings.of(s)).spark(spark).component(component).build();
    }

    private void awaitReady(KindlingService service, JsonHttp http) {
        await().atMost(readyTimeout()).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get("/readyz").status() == 200);
        assertTrue(service.isReady(), "the service says it is ready once /readyz answers 200");
    }

    @Test
    void startsAndTurnsReady(SparkSession spark) throws Exception {
        Component c = newComponent(spark);
        try (KindlingService service = service(spark, c).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            awaitReady(service, http);
            JsonNode ready = http.get("/readyz").json();
            assertEquals("ready", ready.get("checks").get(c.name()).asText(), ready.toString());
        }
    }

    @Test
    void statusHasTheSharedShape(SparkSession spark) throws Exception {
        Component c = newComponent(spark);
        try (KindlingService service = service(spark, c).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            awaitReady(service, http);
            JsonNode body = http.get("/status").json();
            assertEquals(SERVICE, body.get("service").asText());
            assertEquals("RUNNING", body.get("state").asText());
            assertEquals(List.of(c.name()), fieldNames(body.get("components")));
            JsonNode entry = body.get("components").get(c.name());
            assertEquals(List.of("pattern", "state", "since", "ready", "readiness", "lastError", "details"), fieldNames(entry));
            assertEquals(c.pattern(), entry.get("pattern").asText());
            assertTrue(ComponentState.valueOf(entry.get("state").asText()).canBeReady(), entry.toString());
            assertNotNull(Instant.parse(entry.get("since").asText()));
            assertTrue(entry.get("ready").asBoolean(), entry.toString());
            assertEquals("", entry.get("readiness").asText());
            assertTrue(entry.get("lastError").isNull(), entry.toString());
            assertTrue(entry.get("details").isObject(), "details is a JSON object: " + entry);
        }
    }

    @Test
    void metersFollowTheNamingScheme(SparkSession spark) throws Exception {
        Component c = newComponent(spark);
        try (KindlingService service = service(spark, c).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            awaitReady(service, http);
            exercise(service, c);
            Set<String> names = new TreeSet<>();
            for (Meter m : service.meterRegistry().getMeters()) {
                String name = m.getId().getName();
                if (!name.startsWith("kindling.")) {
                    continue;
                }
                names.add(name);
                assertTrue(name.startsWith("kindling." + c.pattern() + "."), name + " is named kindling.<pattern>.<what>");
                assertEquals(SERVICE, m.getId().getTag("service"), name + " has the service tag");
                assertNotNull(m.getId().getTag("pipeline"), name + " has the pipeline tag");
            }
            assertTrue(names.containsAll(expectedMeters()), "expected " + expectedMeters() + " among " + names);
            String scrape = http.get("/metrics").body();
            for (String expected : expectedMeters()) {
                assertTrue(scrape.contains(expected.replace('.', '_')), expected + " is in /metrics");
            }
        }
    }

    @Test
    void stopsWithinTheDeadline(SparkSession spark) throws Exception {
        Component c = newComponent(spark);
        KindlingService service = service(spark, c).start();
        JsonHttp http = new JsonHttp(service.port(), null);
        awaitReady(service, http);
        service.shutdown();
        assertEquals(List.of(), service.overran(), "nothing was still running at the deadline");
        assertEquals(ComponentState.STOPPED, service.status().components().get(c.name()).state());
        assertEquals(ComponentState.STOPPED, service.status().state());
        assertFalse(service.isReady());
    }

    @Test
    void aThrowableOnItsThreadMovesItToFailed(SparkSession spark) throws Exception {
        Component c = failingComponent(spark);
        try (KindlingService service = service(spark, c).start()) {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(readyTimeout()).pollInterval(Duration.ofMillis(100))
                    .until(() -> service.status().components().get(c.name()).state() == ComponentState.FAILED);
            JsonHttp.Response ready = http.get("/readyz");
            assertEquals(503, ready.status(), ready.body());
            JsonNode entry = http.get("/status").json().get("components").get(c.name());
            assertEquals("FAILED", entry.get("state").asText());
            assertFalse(entry.get("ready").asBoolean());
            assertTrue(entry.get("lastError").get("message").asText().contains("thrown on purpose by the component contract"),
                    entry.toString());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.get("/healthz").status() == 503);
            assertEquals("down", http.get("/healthz").json().get("status").asText());
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        assertNotNull(node);
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
