package dev.kindling.examples.etl;

import dev.kindling.config.Setting;
import dev.kindling.service.KindlingService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Continuous ETL as a service: CSV order files dropped into a landing folder become Parquet
 * partitioned by date; malformed rows go to quarantine with the reason; each file is processed
 * exactly once across restarts. See {@link OrdersEtl} for the rules.
 *
 * <pre>
 * bin/run-example etl                                   # temporary folders, a sample file, every 5 s
 * bin/run-example etl LANDING OUTPUT QUARANTINE CHECKPOINT [INTERVAL]
 * curl localhost:8080/status ; curl -X POST 'localhost:8080/cycles?wait=60s'
 * </pre>
 *
 * <p>Arguments: none (temporary folders, with one sample file written to the landing folder), or
 * the four folders and optionally the interval ({@code 5s} by default). The service listens on
 * {@code PORT} (default 8080); SIGTERM (Ctrl-C) lets the current cycle finish within
 * {@code kindling.shutdown.grace}.
 */
public final class EtlApp {
    private EtlApp() {
    }

    static final String SAMPLE = """
            order_id,customer,amount,order_date
            1,ada,12.50,2026-11-24
            2,brian,7.25,2026-11-24
            3,chen,not-a-number,2026-11-25
            4,dora,19.99,2026-11-25
            5,,3.00,2026-11-25
            6,emil,-1.00,2026-11-25
            """;

    public static void main(String[] args) throws Exception {
        if (args.length != 0 && args.length != 4 && args.length != 5) {
            System.err.println("usage: EtlApp [LANDING OUTPUT QUARANTINE CHECKPOINT [INTERVAL]]   (no arguments: temporary folders)");
            System.exit(2);
            return;
        }
        Path landing;
        Path output;
        Path quarantine;
        Path checkpoint;
        if (args.length == 0) {
            Path root = Files.createTempDirectory("kindling-etl-");
            landing = Files.createDirectories(root.resolve("landing"));
            output = root.resolve("orders");
            quarantine = root.resolve("quarantine");
            checkpoint = root.resolve("checkpoint");
            Files.writeString(landing.resolve("orders-sample.csv"), SAMPLE);
        } else {
            landing = Files.createDirectories(Path.of(args[0]));
            output = Path.of(args[1]);
            quarantine = Path.of(args[2]);
            checkpoint = Path.of(args[3]);
        }
        Duration interval = Duration.ofSeconds(5);
        if (args.length == 5) {
            try {
                interval = Setting.parseDuration(args[4]);
            } catch (IllegalArgumentException e) {
                System.err.println("usage: EtlApp LANDING OUTPUT QUARANTINE CHECKPOINT [INTERVAL]: INTERVAL is a duration such as 5s or 1m; "
                        + "got '" + args[4] + "'");
                System.exit(2);
                return;
            }
        }
        System.out.println("orders-etl: drop CSV files (" + OrdersEtl.SCHEMA + ", with a header) into " + landing);
        System.out.println("  parquet:    " + output);
        System.out.println("  quarantine: " + quarantine);
        KindlingService.builder("orders-etl")
                .component(OrdersEtl.runner(landing, output, quarantine, checkpoint, interval))
                .run();
    }
}
