package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The processor on the testkit's shared SparkSession, then the whole service over real HTTP. */
@KindlingSparkTest
class WordCountTest {

    @Test
    void countsTheWordsOfAText(SparkSession spark) {
        var input = spark.sql("SELECT 'To be, or not to be' AS text");
        assertThat(WordCount.processor().process(input).collectAsList())
                .extracting((Row r) -> r.getString(0) + "=" + r.getLong(1))
                .containsExactly("be=2", "to=2", "not=1", "or=1");
    }

    @Test
    void answersARequestOverHttp(SparkSession spark) {
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1"));
        KindlingService service = App.service(settings).spark(spark).start();
        try {
            JsonHttp http = new JsonHttp(service.port(), null);
            await().atMost(Duration.ofMinutes(5)).until(() -> http.get("/readyz").status() == 200);
            JsonHttp.Response r = http.post("/jobs/words?wait=60s", "{\"text\": \"To be, or not to be\"}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(r.json().get("result").toString()).isEqualTo("{\"rows\":[{\"word\":\"be\",\"count\":2},"
                    + "{\"word\":\"to\",\"count\":2},{\"word\":\"not\",\"count\":1},{\"word\":\"or\",\"count\":1}],\"truncated\":false}");
        } finally {
            service.shutdown();
        }
    }
}
