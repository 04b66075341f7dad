package dev.kindling.site.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiReferenceTest {
    private static final String OPENAPI = """
            {"openapi":"3.0.3","paths":{
              "/healthz":{"get":{"summary":"liveness"}},
              "/jobs/{id}":{"get":{"summary":"a job"},"delete":{"summary":"cancels a job"}},
              "/jobs/{id}/events":{"get":{"summary":"events"}}}}
            """;

    private static Exchange exchange(String id, String method, String path) {
        return new Exchange(id, "title " + id, method, path, Map.of(), null, 200, Map.of("Content-Type", "application/json"), "{}", null);
    }

    @Test
    void listsTheRoutesOfAnOpenApiDocument() {
        assertThat(ApiReference.routes(ApiReference.readJson(OPENAPI))).containsExactly(
                new ApiReference.Route("GET", "/healthz", "liveness"),
                new ApiReference.Route("GET", "/jobs/{id}", "a job"),
                new ApiReference.Route("DELETE", "/jobs/{id}", "cancels a job"),
                new ApiReference.Route("GET", "/jobs/{id}/events", "events"));
    }

    @Test
    void writesARowPerRouteLinkedToItsExampleAndTheExchanges(@TempDir Path dir) throws IOException {
        ApiReference.Service s = new ApiReference.Service("ondemand", "pi", "examples/sparkpi", ApiReference.readJson(OPENAPI),
                List.of(exchange("job", "GET", "/jobs/abc?x=1"), exchange("events", "GET", "/jobs/abc/events")));
        ApiReference.write(dir.resolve("http"), dir.resolve("openapi"), List.of(s));

        String page = Files.readString(dir.resolve("http/pi.adoc"));
        assertThat(page).contains("| [[route-pi-get-jobs-id]]GET\n| ``pass:c[/jobs/{id}]``\n| pass:c[a job]\n| <<exchange-pi-job,job>>")
                .contains("| [[route-pi-get-jobs-id-events]]GET\n| ``pass:c[/jobs/{id}/events]``\n| pass:c[events]\n| <<exchange-pi-events,events>>")
                .contains("| [[route-pi-delete-jobs-id]]DELETE\n| ``pass:c[/jobs/{id}]``\n| pass:c[cancels a job]\n| \n")
                .contains("[#exchange-pi-job]\n.title job\n[source,shell,role=request]\n----\ncurl -s -i 'localhost:8080/jobs/abc?x=1'\n----\n");
        assertThat(Files.readString(dir.resolve("http/index.adoc")))
                .isEqualTo("[#api-ondemand]\n== On-demand batch\n\ninclude::pi.adoc[]\n\n"
                        + "[#api-continuous]\n== Continuous batch\n\nNOTE: No service of this pattern was captured in this build.\n\n"
                        + "[#api-streaming]\n== Stream processing\n\nNOTE: No service of this pattern was captured in this build.\n\n");
        assertThat(ApiReference.readJson(Files.readString(dir.resolve("openapi/pi.json")))).isEqualTo(ApiReference.readJson(OPENAPI));
    }

    @Test
    void anExchangeShowsTheCurlCommandAndTheAnswer() {
        Exchange e = new Exchange("submit", "Submit", "POST", "/jobs/pi", Map.of("Content-Type", "application/json"), "{\"n\":1}", 202,
                Map.of("Location", "/jobs/1", "Content-Type", "application/json"), "{\"id\":\"1\"}", null);
        assertThat(e.curl()).isEqualTo("curl -s -i -X POST 'localhost:8080/jobs/pi' -H 'Content-Type: application/json' -d '{\"n\":1}'");
        assertThat(e.response()).isEqualTo("HTTP/1.1 202 Accepted\nContent-Type: application/json\nLocation: /jobs/1\n\n{\"id\":\"1\"}");
    }
}
