package dev.kindling.bench.continuous;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.JdbcWatermarkStore;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import dev.kindling.service.KindlingService;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One replica of the service that {@link FailoverBench} kills: JDBC source {@code failover_events}
 * (watermark column {@code id}) → SQL → JDBC upsert sink {@code PIPELINE_out} → JDBC watermark store,
 * cycles every 200 ms, Spark {@code local[1]}, HTTP on a free port of 127.0.0.1.
 *
 * <pre>
 * java ... FailoverReplicaMain jdbc:postgresql://localhost:5432/postgres postgres replica-1 2s failover_2s
 * </pre>
 *
 * Arguments: JDBC URL, user (no password: the embedded server trusts local connections), replica id,
 * lease ttl ({@code 2s}, {@code 5s}), pipeline name. Prints {@code port N} once the service is up.
 */
public final class FailoverReplicaMain {
    private FailoverReplicaMain() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            throw new IllegalArgumentException("arguments: jdbcUrl user replicaId ttl pipeline; got " + args.length);
        }
        String url = args[0];
        String pipelineName = args[4];
        SparkSession spark = SparkSession.builder().master("local[1]").appName(args[2])
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "1").getOrCreate();
        Connectors c = Connectors.builtIn();
        Pipeline pipeline = Pipeline.builder(PipelineKind.INCREMENTAL).name(pipelineName)
                .source(c.source(url + "?table=failover_events&watermarkColumn=id&user=" + args[1]))
                .process(Processor.sql("SELECT id, word FROM input"))
                .sink(c.sink(url + "?table=" + pipelineName + "_out&mode=upsert&keys=id&user=" + args[1]))
                .build();
        ContinuousRunner runner = ContinuousRunner.builder(pipeline)
                .watermarkStore(JdbcWatermarkStore.builder(new JdbcEndpoint(url, args[1], null), pipelineName).build())
                .interval(Duration.ofMillis(200))
                .leaseTtl(Setting.parseDuration(args[3]))
                .replicaId(args[2])
                .build();
        KindlingService service = KindlingService.builder("failover")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1")))
                .spark(spark)
                .component(runner)
                .start();
        System.out.println("port " + service.port());
        System.out.flush();
        service.installShutdownHook().awaitShutdown();
    }
}
