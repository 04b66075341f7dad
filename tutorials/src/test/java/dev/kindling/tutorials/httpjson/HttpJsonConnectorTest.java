package dev.kindling.tutorials.httpjson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.TransientException;
import dev.kindling.ipp.WriteResult;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobService;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The httpjson connector against a real HTTP server (the JDK's), on the testkit's shared SparkSession. */
@KindlingSparkTest
class HttpJsonConnectorTest {
    private static final String ORDERS = """
            [{"id": 1, "customer": "Ada", "amount": 12.5},
             {"id": 2, "customer": "Brian", "amount": 3.0},
             {"id": 3, "customer": "Ada", "amount": 7.5}]""";

    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private String base;

    // tag::server[]
    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/orders", exchange -> {
            byte[] body = ORDERS.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/totals", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst(HttpJsonSink.BATCH_HEADER) + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        base = "httpjson://127.0.0.1:" + server.getAddress().getPort();
    }
    // end::server[]

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    // tag::registry[]
    @Test
    void theRegistryFindsTheSchemeThroughServiceLoader(SparkSession spark) {
        Connectors connectors = Connectors.builtIn();
        assertThat(connectors.schemes()).contains("httpjson");
        List<Row> rows = ((HttpJsonSource) connectors.source(base + "/orders?schema=id BIGINT, customer STRING, amount DOUBLE"))
                .read(spark).orderBy("id").collectAsList();
        assertThat(rows).extracting(Row::toString).containsExactly("[1,Ada,12.5]", "[2,Brian,3.0]", "[3,Ada,7.5]");
    }
    // end::registry[]

    @Test
    void theSinkPostsEachBatchWithItsId(SparkSession spark) {
        HttpJsonSink sink = (HttpJsonSink) Connectors.builtIn().sink(base + "/totals?maxRows=10");
        WriteResult result = sink.write(spark.sql("SELECT 'ada' AS customer, 20.0D AS total"), 7);
        assertThat(List.of(result.batchId(), result.rowsWritten())).containsExactly(7L, 1L);
        assertThat(received).containsExactly("7 [{\"customer\":\"ada\",\"total\":20.0}]");
    }

    @Test
    void badOptionsAndBadAnswersSayWhatIsWrong(SparkSession spark) {
        Connectors c = Connectors.builtIn();
        assertThatThrownBy(() -> c.sink(base + "/totals?maxRows=0")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("maxRows");
        assertThatThrownBy(() -> c.source(base + "/orders?timeout=soon")).isInstanceOf(ConfigurationException.class)
                .hasMessage("httpjson option timeout must be a duration such as 500ms, 10s or 1m; got 'soon'");
        assertThatThrownBy(() -> ((HttpJsonSource) c.source(base + "/missing")).read(spark)).isInstanceOf(TransientException.class)
                .hasMessage("httpjson:http://127.0.0.1:" + server.getAddress().getPort() + "/missing answered 404");
        HttpJsonSink small = (HttpJsonSink) c.sink(base + "/totals?maxRows=1");
        assertThatThrownBy(() -> small.write(spark.range(2).toDF(), 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("batch 3 has more than maxRows=1 rows");
        assertThat(received).isEmpty();
    }

    // tag::service[]
    @Test
    void anOnDemandServiceRelaysOrdersToTotals(SparkSession spark) throws Exception {
        Connectors c = Connectors.builtIn();
        Pipeline relay = Pipeline.builder(PipelineKind.BATCH).name("totals")
                .source(c.source(base + "/orders?schema=id BIGINT, customer STRING, amount DOUBLE"))
                .process(Processor.sql("SELECT lower(customer) AS customer, sum(amount) AS total FROM input "
                        + "GROUP BY lower(customer) ORDER BY customer"))
                .sink(c.sink(base + "/totals"))
                .build();
        KindlingService service = KindlingService.builder("relay")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .component(JobService.builder("relay").job(JobDefinition.pipeline("totals", relay)).build())
                .start();
        try {
            JsonHttp.Response done = new JsonHttp(service.port(), null).post("/jobs/totals?wait=60s", "{}");
            assertThat(List.of(done.status(), done.json().get("state").asText(), done.json().get("result").get("rowsWritten").asLong()))
                    .containsExactly(200, "SUCCEEDED", 2L);
        } finally {
            service.shutdown();
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0).substring(received.get(0).indexOf(' ') + 1))
                .isEqualTo("[{\"customer\":\"ada\",\"total\":20.0},{\"customer\":\"brian\",\"total\":3.0}]");
    }
    // end::service[]
}
