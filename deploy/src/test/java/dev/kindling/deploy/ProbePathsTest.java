package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.KindlingSparkTest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The probe paths of every manifest are ones a {@link KindlingService} really serves: a service is
 * started on a free port and asked ({@link KindlingService#servedEndpoints()}, then by HTTP), so a
 * renamed endpoint fails here rather than in a cluster.
 */
@KindlingSparkTest
class ProbePathsTest {

    @Test
    void everyProbePathIsServedAndAnswers200(SparkSession spark) throws Exception {
        Set<String> probed = new TreeSet<>();
        for (DeployedService service : DeployedService.ALL) {
            if (service.http()) {
                Container c = Driver.of(Manifests.of(service)).container();
                for (Probe p : new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
                    probed.add(p.getHttpGet().getPath());
                }
            }
        }
        assertThat(probed).containsExactly("/healthz", "/readyz");
        KindlingService service = KindlingService.builder("probes")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .routes(r -> r.get("/ping", ctx -> ctx.result("pong")))
                .start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : probed) {
                assertThat(service.servedEndpoints()).contains("GET " + path);
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
            }
        } finally {
            service.shutdown();
        }
    }
}
