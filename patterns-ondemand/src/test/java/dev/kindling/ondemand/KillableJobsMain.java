package dev.kindling.ondemand;

import dev.kindling.config.Settings;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.connect.Secret;
import dev.kindling.service.KindlingService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The service {@link KillDuringJobIT} runs in a forked JVM and kills: one worker, the durable job
 * store on PostgreSQL, and two jobs that leave a trace of every run. Each run appends
 * {@code NAME ID pid PID} to {@code DIR/runs.log} when it starts. {@code block} then waits until the
 * file {@code DIR/release} exists (or it is cancelled); {@code count} counts the even numbers below
 * {@code n} with Spark.
 *
 * <p>Arguments: JDBC URL, user, password, folder.
 */
public final class KillableJobsMain {
    private KillableJobsMain() {
    }

    /** The params of {@code block}: none. */
    record BlockParams(String note) {
    }

    /** The params of {@code count}. */
    record CountParams(Long n) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[3]);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("killable-jobs")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        JobStore store = JobStore.postgres(new JdbcEndpoint(args[0], args[1], Secret.of(args[2])));
        JobService jobs = JobService.builder("jobs")
                .store(store)
                .job(JobDefinition.builder("block", BlockParams.class, (ctx, p) -> {
                    started(dir, ctx);
                    try (java.nio.file.WatchService watcher = dir.getFileSystem().newWatchService()) {
                        dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                        while (!Files.exists(dir.resolve("release"))) {
                            ctx.throwIfCancelled();
                            // woken by a file created in dir (the release); a cancel interrupts the wait
                            java.nio.file.WatchKey key = watcher.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                            if (key != null) {
                                key.pollEvents();
                                key.reset();
                            }
                        }
                    }
                    return "released";
                }).build())
                .job(JobDefinition.builder("count", CountParams.class, (ctx, p) -> {
                    started(dir, ctx);
                    return Map.of("evens", ctx.spark().range(p.n()).filter("id % 2 = 0").count());
                }).build())
                .build();
        KindlingService service = KindlingService.builder("killable-jobs")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.ondemand.workers", "1", "kindling.shutdown.grace", "10s", "kindling.ondemand.lease", "3s")))
                .spark(spark)
                .resource("job store", store)
                .component(jobs)
                .start()
                .installShutdownHook();
        System.out.println("child ready on port " + service.port());
        service.awaitShutdown();
    }

    private static void started(Path dir, JobContext ctx) {
        String line = ctx.jobName() + " " + ctx.jobId() + " pid " + ProcessHandle.current().pid() + "\n";
        try {
            Files.writeString(dir.resolve("runs.log"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
