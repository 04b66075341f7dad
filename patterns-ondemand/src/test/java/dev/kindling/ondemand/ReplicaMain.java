package dev.kindling.ondemand;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One replica of the on-demand service that {@link ReplicasIT} runs three times in forked JVMs on one
 * PostgreSQL database: two workers, a lease of 3 s, two attempts per job. Its job {@code work} records each
 * execution as a row {@code (job_id, replica)} in the table {@code executions}, waits (in the database) until
 * the table {@code latch} has a row (the warm-up's Spark query has run before the replica is ready).
 *
 * <p>Arguments: JDBC URL, user, password, replica id.
 */
public final class ReplicaMain {
    private ReplicaMain() {
    }

    /** The params of {@code work}: none. */
    record WorkParams(String note) {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        String replica = args[3];
        SparkSession spark = SparkSession.builder().master("local[1]").appName("replica-" + replica)
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        JobStore store = JobStore.postgres(new JdbcEndpoint(url, user, Secret.of(password)));
        JobService jobs = JobService.builder("jobs")
                .store(store)
                .job(JobDefinition.builder("work", WorkParams.class, (ctx, p) -> {
                    try (Connection c = DriverManager.getConnection(url, user, password)) {
                        try (PreparedStatement s = c.prepareStatement("INSERT INTO executions (job_id, replica) VALUES (?, ?)")) {
                            s.setString(1, ctx.jobId());
                            s.setString(2, replica);
                            s.executeUpdate();
                        }
                        awaitLatch(c, ctx);
                    }
                    return Map.of("replica", replica);
                }).build())
                .build();
        KindlingService service = KindlingService.builder("replica-" + replica)
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.ondemand.workers", "2", "kindling.ondemand.queue-capacity", "1000",
                        "kindling.ondemand.replica-id", replica, "kindling.ondemand.lease", "3s",
                        "kindling.ondemand.max-attempts", "2", "kindling.ondemand.poll-interval", "200ms",
                        "kindling.shutdown.grace", "5s")))
                .spark(spark)
                .resource("job store", store)
                .component(jobs)
                .start()
                .installShutdownHook();
        System.out.println("replica ready on port " + service.port());
        service.awaitShutdown();
    }

    /** Waits, in the database (pg_sleep), until the latch table has a row; a cancel interrupts it. */
    private static void awaitLatch(Connection c, JobContext ctx) throws SQLException {
        try (Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT exists(SELECT 1 FROM latch)")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                ctx.throwIfCancelled();
                s.execute("SELECT pg_sleep(0.05)");
            }
        }
    }
}
