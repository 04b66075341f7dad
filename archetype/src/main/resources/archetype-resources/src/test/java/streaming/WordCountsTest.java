package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kindling.config.Settings;
import dev.kindling.service.KindlingService;
import dev.kindling.testkit.JsonHttp;
import dev.kindling.testkit.KindlingSparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on the testkit's shared SparkSession: files of text in, exact counts out over HTTP. */
@KindlingSparkTest
class WordCountsTest {
    @TempDir
    Path dir;

    @Test
    void countsTheWordsOfEveryFileIntoTheTable(SparkSession spark) throws Exception {
        Path incoming = Files.createDirectories(dir.resolve("incoming"));
        Settings settings = Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                "app.source", "file:" + incoming + "?format=text", "app.checkpoint", dir.resolve("checkpoint").toString(),
                "app.trigger", "500ms"));
        Files.writeString(incoming.resolve("1.txt"), "To be, or not to be\n");
        KindlingService service = App.service(settings).spark(spark).start();
        try {
            JsonHttp http = new JsonHttp(service.port(), null);
            String table = "/tables/word_counts?orderBy=count&desc=true&limit=10";
            await().atMost(Duration.ofMinutes(5)).until(() -> http.get(table).body(),
                    body -> body.equals("[{\"word\":\"be\",\"count\":2},{\"word\":\"to\",\"count\":2},"
                            + "{\"word\":\"not\",\"count\":1},{\"word\":\"or\",\"count\":1}]"));

            Files.writeString(incoming.resolve("2.txt"), "that is the question\nto be\n");
            await().atMost(Duration.ofMinutes(5)).until(() -> http.get(table).body(),
                    body -> body.equals("[{\"word\":\"be\",\"count\":3},{\"word\":\"to\",\"count\":3},"
                            + "{\"word\":\"is\",\"count\":1},{\"word\":\"not\",\"count\":1},{\"word\":\"or\",\"count\":1},"
                            + "{\"word\":\"question\",\"count\":1},{\"word\":\"that\",\"count\":1},{\"word\":\"the\",\"count\":1}]"));
        } finally {
            service.shutdown();
        }
    }
}
