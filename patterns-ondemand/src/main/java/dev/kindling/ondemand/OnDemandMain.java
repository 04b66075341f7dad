package dev.kindling.ondemand;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Source;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQL-over-data service from configuration alone: one job that reads a source URI, runs a SQL query
 * over it (the source is the view {@code input}) and answers the first rows.
 *
 * <pre>
 * KINDLING_ONDEMAND_JOB_NAME=sales \
 * KINDLING_ONDEMAND_JOB_SOURCE='file:/data/sales?format=parquet' \
 * KINDLING_ONDEMAND_JOB_SQL='SELECT region, sum(amount) AS total FROM input GROUP BY region' \
 * java &lt;spark add-opens&gt; -cp ... dev.kindling.ondemand.OnDemandMain
 * curl -XPOST 'localhost:8080/jobs/sales?wait=10s'
 * curl 'localhost:8080/sales'
 * </pre>
 *
 * <p>Settings: {@link OnDemandSettings} (the {@code kindling.ondemand.job.*} ones define the job) and
 * {@link dev.kindling.service.ControlPlaneSettings}.
 */
public final class OnDemandMain {
    private static final Logger LOG = LoggerFactory.getLogger(OnDemandMain.class);

    private OnDemandMain() {
    }

    /** The service the settings describe, not started; it creates (and stops) its own SparkSession. */
    public static OnDemandService fromSettings(Settings settings) {
        return fromSettings(settings, null);
    }

    /** The service the settings describe, not started, on {@code spark} (not stopped by it); null: its own session. */
    public static OnDemandService fromSettings(Settings settings, SparkSession spark) {
        String uri = settings.get(OnDemandSettings.JOB_SOURCE);
        if (uri == null || uri.isBlank()) {
            throw new ConfigurationException("set " + OnDemandSettings.JOB_SOURCE.name() + " (env "
                    + OnDemandSettings.JOB_SOURCE.env() + ") to the source URI the job reads, e.g. file:/data/sales?format=parquet");
        }
        Source source = Connectors.builtIn().source(uri);
        if (!(source instanceof BatchReadable readable)) {
            throw new ConfigurationException("source '" + source.name() + "' (" + OnDemandSettings.JOB_SOURCE.name()
                    + ") cannot be read in a batch, which an on-demand job needs");
        }
        String name = settings.get(OnDemandSettings.JOB_NAME);
        JobDefinition<?, ?> job = JobDefinition.query(name, readable, Processor.sql(settings.get(OnDemandSettings.JOB_SQL)),
                settings.get(OnDemandSettings.JOB_LIMIT));
        OnDemandService.Builder b = OnDemandService.builder(name).settings(settings).job(job).syncRoute("/" + name, name);
        if (spark != null) {
            b.spark(spark);
        }
        return b.build();
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            LOG.error("usage: OnDemandMain   (no arguments; configure with KINDLING_ONDEMAND_JOB_* and PORT)");
            System.exit(2);
        }
        OnDemandService service = fromSettings(Settings.fromEnvironment()).start();
        service.installShutdownHook();
        service.awaitShutdown();
    }
}
