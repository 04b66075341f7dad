package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.IncrementalReadable;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ipp.Watermark;
import dev.kindling.testkit.KindlingPostgresTest;
import dev.kindling.testkit.KindlingSparkTest;
import dev.kindling.testkit.PostgresDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incremental JDBC reads on a JVM that is not on UTC (this module's tests run on Europe/Berlin, which has a summer
 * time): the watermark of a {@code TIMESTAMP} column is its wall clock taken as UTC, the one of a
 * {@code TIMESTAMP WITH TIME ZONE} column its instant, and successive increments read every row exactly once, also
 * the rows whose wall clock does not exist (the spring gap) or exists twice (the autumn fold) in the JVM's zone.
 * Then the bounds that are not put into SQL, and {@code lookback} for rows committed late.
 */
@KindlingSparkTest
@KindlingPostgresTest
class JdbcWatermarkZoneIT {
    private final Connectors connectors = Connectors.builtIn();

    @BeforeAll
    static void aZoneThatIsNotUtc() {
        assertThat(TimeZone.getDefault().getID()).as("the JVM's zone (core-it's test.jvm.args)").isEqualTo("Europe/Berlin");
    }

    private IncrementalReadable source(PostgresDatabase db, String table, String column, String... more) {
        Map<String, String> o = new HashMap<>(Map.of("table", table, "watermarkColumn", column, "user", db.user(),
                "password", db.password()));
        for (int i = 0; i < more.length; i += 2) {
            o.put(more[i], more[i + 1]);
        }
        return (IncrementalReadable) connectors.source(db.jdbcUrl(), o);
    }

    private static List<Long> ids(Dataset<Row> rows) {
        return rows.select("id").collectAsList().stream().map(r -> r.getLong(0)).sorted().toList();
    }

    @Test
    void aWallClockColumnIsCarriedInUtcAndEveryRowIsReadOnceAcrossTheSummerTimeChanges(PostgresDatabase db, SparkSession spark) {
        db.execute("CREATE TABLE wall (id BIGINT PRIMARY KEY, at TIMESTAMP NOT NULL)");
        // 2026-03-29 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00); 2026-10-25 02:30 exists twice
        db.execute("INSERT INTO wall VALUES (1, TIMESTAMP '2026-03-29 01:59:00'), (2, TIMESTAMP '2026-03-29 02:30:00')");
        IncrementalReadable wall = source(db, "wall", "at");

        Watermark first = wall.latestWatermark(spark).orElseThrow();
        assertThat(first).isEqualTo(Watermark.ofInstant(Instant.parse("2026-03-29T02:30:00Z")));
        List<Long> read = new ArrayList<>(ids(wall.readIncrement(spark, null, first)));

        db.execute("INSERT INTO wall VALUES (3, TIMESTAMP '2026-03-29 03:10:00'), (4, TIMESTAMP '2026-10-25 02:30:00.123456')");
        Watermark second = wall.latestWatermark(spark).orElseThrow();
        assertThat(second).isEqualTo(Watermark.ofInstant(Instant.parse("2026-10-25T02:30:00.123456Z")));
        read.addAll(ids(wall.readIncrement(spark, first, second)));

        db.execute("INSERT INTO wall VALUES (5, TIMESTAMP '2026-10-25 02:30:00.123457')");
        Watermark third = wall.latestWatermark(spark).orElseThrow();
        read.addAll(ids(wall.readIncrement(spark, second, third)));

        assertThat(read).as("each row once, in the increment after the one that saw it").containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(wall.readIncrement(spark, third, third).count()).as("nothing past the newest").isZero();
    }

    @Test
    void aColumnWithAZoneIsCarriedAsItsInstant(PostgresDatabase db, SparkSession spark) {
        db.execute("CREATE TABLE zoned (id BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL)");
        db.execute("INSERT INTO zoned VALUES (1, TIMESTAMPTZ '2026-10-25 00:30:00+00'), (2, TIMESTAMPTZ '2026-10-25 01:30:00+00')");
        IncrementalReadable zoned = source(db, "zoned", "at");

        Watermark first = zoned.latestWatermark(spark).orElseThrow();
        assertThat(first).isEqualTo(Watermark.ofInstant(Instant.parse("2026-10-25T01:30:00Z")));
        assertThat(ids(zoned.readIncrement(spark, Watermark.ofInstant(Instant.parse("2026-10-25T00:30:00Z")), first)))
                .as("02:30 CEST and 02:30 CET are an hour apart, not the same wall clock").containsExactly(2L);

        db.execute("INSERT INTO zoned VALUES (3, TIMESTAMPTZ '2026-10-25 01:30:00.000001+00')");
        Watermark second = zoned.latestWatermark(spark).orElseThrow();
        assertThat(ids(zoned.readIncrement(spark, first, second))).containsExactly(3L);
    }

    @Test
    void aStringWatermarkThatDatabasesWouldEscapeDifferentlyIsRefusedNotEscaped(PostgresDatabase db, SparkSession spark) {
        db.execute("CREATE TABLE keyed (id BIGINT PRIMARY KEY, k TEXT NOT NULL)");
        db.execute("INSERT INTO keyed VALUES (1, 'a-1'), (2, 'b-2')");
        IncrementalReadable keyed = source(db, "keyed", "k");
        Watermark newest = keyed.latestWatermark(spark).orElseThrow();
        assertThat(ids(keyed.readIncrement(spark, Watermark.ofString("a-1"), newest))).containsExactly(2L);

        for (String hostile : List.of("a' OR '1'='1", "a\\' OR 1=1 --", "a\u0000b")) {
            assertThatThrownBy(() -> keyed.readIncrement(spark, Watermark.ofString(hostile), newest))
                    .isInstanceOf(KindlingException.class)
                    .hasMessageContaining("holds a quote, a backslash or a control character, which is not put into SQL");
        }
    }

    @Test
    void aLookbackReadsAgainTheRowsCommittedLateBelowTheWatermark(PostgresDatabase db, SparkSession spark) {
        db.execute("CREATE TABLE late (id BIGINT PRIMARY KEY, at TIMESTAMP NOT NULL)");
        db.execute("INSERT INTO late VALUES (1, TIMESTAMP '2026-11-26 10:00:00'), (2, TIMESTAMP '2026-11-26 10:00:02'), "
                + "(3, TIMESTAMP '2026-11-26 10:00:05')");
        IncrementalReadable exact = source(db, "late", "id");
        IncrementalReadable byIds = source(db, "late", "id", "lookback", "2");
        IncrementalReadable byTime = source(db, "late", "at", "lookback", "10s");
        Watermark committedId = Watermark.ofLong(3);
        Watermark committedAt = byTime.latestWatermark(spark).orElseThrow();

        // a transaction that took id 3 before them commits only now, and a later one with it
        db.execute("DELETE FROM late WHERE id = 3");
        db.execute("INSERT INTO late VALUES (3, TIMESTAMP '2026-11-26 10:00:01'), (4, TIMESTAMP '2026-11-26 10:00:06')");
        db.execute("INSERT INTO late VALUES (0, TIMESTAMP '2026-11-26 09:59:59')");

        assertThat(ids(exact.readIncrement(spark, Watermark.ofLong(2), Watermark.ofLong(4))))
                .as("without a lookback, only above the watermark").containsExactly(3L, 4L);
        assertThat(ids(byIds.readIncrement(spark, Watermark.ofLong(2), Watermark.ofLong(4))))
                .as("two ids below the watermark again").containsExactly(1L, 2L, 3L, 4L);
        assertThat(ids(byTime.readIncrement(spark, committedAt, byTime.latestWatermark(spark).orElseThrow())))
                .as("ten seconds below the watermark again").containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(byIds.lookback()).contains("2");
        assertThat(exact.lookback()).isEmpty();

        assertThatThrownBy(() -> byTime.readIncrement(spark, committedId, Watermark.ofLong(4)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("is numeric, so 'lookback' is a whole number");
        assertThatThrownBy(() -> source(db, "late", "id", "lookback", "soon")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'lookback' is a whole number (a numeric watermark column) or a duration such as 5m");
    }
}
