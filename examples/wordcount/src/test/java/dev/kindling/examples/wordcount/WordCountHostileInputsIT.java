package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.HostileInputs;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KafkaBroker;
import dev.kindling.testkit.KindlingKafkaTest;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word count, with a token, against the hostile-input battery over real HTTP: its query routes
 * ({@code /top}, the queryable table {@code /tables/word_counts}, {@code /status}, the page {@code /})
 * with every parameter varied and the token cases. Word count takes no request bodies: the body cases
 * (fields of the wrong type, {@code NaN}, overflowing numbers, NUL bytes, array and 20 MB bodies, a
 * wrong content type) are sent as POSTs to {@code /top}, which must refuse them all. It has no event
 * stream, so the battery opens none. Only 4xx or 429 answers; afterwards the counts still grow with
 * new lines and {@code /top} answers them.
 */
@KindlingSparkTest
@KindlingKafkaTest
class WordCountHostileInputsIT {
    private static final String TOKEN = "wordcount-hostile-t0ken";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void everyHostileRequestGetsA4xxOr429AndTheCountsAnswerAfterwards(SparkSession spark, KafkaBroker kafka) {
        String words = kafka.createUniqueTopic("hostile-words", 1);
        String counts = kafka.createUniqueTopic("hostile-counts", 1);
        String dead = kafka.createUniqueTopic("hostile-dead", 1);
        kafka.produce(words, null, "the river and the stone");
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "kindling.auth.token", TOKEN, "kindling.wordcount.words-topic", words, "kindling.wordcount.counts-topic", counts,
                "kindling.wordcount.dead-letters-topic", dead, "kindling.wordcount.trigger", "500ms"));
        try (KindlingService service = WordCountApp.service(settings, kafka.bootstrapServers(), tmp).spark(spark).start()) {
            JsonHttp http = new JsonHttp(service.port(), TOKEN);
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/top?n=1").body())
                    .isEqualTo("[{\"word\":\"the\",\"count\":2}]"));

            List<String> violations = HostileInputs.against(service.port()).token(TOKEN)
                    .get("/top?n=3")
                    .get("/tables/word_counts?orderBy=word&desc=false&limit=2")
                    .get("/status")
                    .get("/")
                    .post("/top", "{\"n\": 3, \"word\": \"the\"}")
                    .healthyAfter("/top?n=3")
                    .healthyAfter("/tables/word_counts?orderBy=count&desc=true&limit=1")
                    .run();
            assertThat(violations).isEmpty();

            kafka.produce(words, null, "stone stone river");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(http.get("/top?n=3").body())
                    .isEqualTo("[{\"word\":\"stone\",\"count\":3},{\"word\":\"river\",\"count\":2},{\"word\":\"the\",\"count\":2}]"));
            assertThat(http.get("/tables/word_counts?orderBy=word&limit=2").body())
                    .isEqualTo("[{\"word\":\"and\",\"count\":1},{\"word\":\"river\",\"count\":2}]");
        }
    }
}
