package dev.kindling.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.testkit.ForkedJvm;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.PostgresDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's event log, which a history server shows to whoever can read it, never carries the password of
 * a JDBC source: the child JVM reads a table with the password as an option, with event logging on.
 */
@KindlingPostgresTest
class EventLogSecretsIT {

    /** The child: reads {@code args[0]} (a JDBC URL) with user {@code args[1]} and the password in KINDLING_IT_PASSWORD. */
    public static void main(String[] args) {
        SparkSession spark = SparkSessions.create("event-log-secrets", Map.of("spark.master", "local[1]", "spark.ui.enabled", "false",
                "spark.eventLog.enabled", "true", "spark.eventLog.compress", "false", "spark.eventLog.dir", args[2]), dev.kindling.config.Settings.of(Map.of()));
        try {
            BatchReadable source = (BatchReadable) Connectors.builtIn().source(args[0],
                    Map.of("table", "accounts", "user", args[1], "password", System.getenv("KINDLING_IT_PASSWORD")));
            System.out.println("rows=" + source.read(spark).count());
        } finally {
            spark.stop();
        }
    }

    @Test
    void aJdbcPasswordGivenAsAnOptionIsNotInTheEventLog(PostgresDatabase db, @TempDir Path events) throws IOException {
        String password = "Ev3nt-Log-Pa55word";
        db.execute("CREATE ROLE reader LOGIN PASSWORD '" + password + "'");
        db.execute("CREATE TABLE accounts (id BIGINT, owner TEXT)");
        db.execute("INSERT INTO accounts VALUES (1, 'ada'), (2, 'grace')");
        db.execute("GRANT SELECT ON accounts TO reader");
        try (ForkedJvm child = ForkedJvm.builder(EventLogSecretsIT.class).spark().env("KINDLING_IT_PASSWORD", password)
                .args(db.jdbcUrl(), "reader", events.toUri().toString()).start()) {
            assertThat(child.awaitExit(Duration.ofMinutes(3))).as(child.output()).isZero();
            assertThat(child.lines()).contains("rows=2");
        }
        List<Path> logs;
        try (Stream<Path> files = Files.walk(events)) {
            logs = files.filter(Files::isRegularFile).toList();
        }
        StringBuilder all = new StringBuilder();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(text).as(log.toString()).doesNotContain(password);
            all.append(text);
        }
        // the log does describe the read, so the check above looked at the right place
        assertThat(all.toString()).contains("JDBCRelation(accounts)");
    }
}
