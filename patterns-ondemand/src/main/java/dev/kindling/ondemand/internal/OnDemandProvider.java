package dev.kindling.ondemand.internal;

import dev.kindling.config.Settings;
import dev.kindling.connect.Connectors;
import dev.kindling.ipp.BatchReadable;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.Processor;
import dev.kindling.ipp.Source;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobService;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentProvider;
import java.util.List;

/**
 * The on-demand pattern from configuration alone ({@code KINDLING_PATTERN=ondemand} for
 * {@link dev.kindling.service.Main}): one job that reads a source URI, runs a SQL query over it (the
 * query reads the source as the table {@code input}) and answers the first rows, at {@code POST /jobs/<name>} and
 * {@code GET /<name>}.
 *
 * <pre>
 * KINDLING_PATTERN=ondemand KINDLING_ONDEMAND_JOB_NAME=sales \
 * KINDLING_ONDEMAND_JOB_SOURCE='file:/data/sales?format=parquet' \
 * KINDLING_ONDEMAND_JOB_SQL='SELECT region, sum(amount) AS total FROM input GROUP BY region' \
 * java &lt;spark add-opens&gt; -cp ... dev.kindling.service.Main
 * </pre>
 *
 * <p>Listed in {@code META-INF/services/dev.kindling.service.ComponentProvider}.
 */
public final class OnDemandProvider implements ComponentProvider {
    @Override
    public String pattern() {
        return "ondemand";
    }

    @Override
    public List<Class<?>> settings() {
        return List.of(OnDemandSettings.class);
    }

    /** @throws ConfigurationException naming every missing {@code kindling.ondemand.job.*} setting, or a source that cannot be read in a batch */
    @Override
    public Component fromSettings(Settings settings) {
        settings.requireAll(OnDemandSettings.JOB_SOURCE, OnDemandSettings.JOB_SQL);
        Source source = Connectors.builtIn().source(settings.get(OnDemandSettings.JOB_SOURCE));
        if (!(source instanceof BatchReadable readable)) {
            throw new ConfigurationException("source '" + source.name() + "' (" + OnDemandSettings.JOB_SOURCE.name()
                    + ") cannot be read in a batch, which an on-demand job needs");
        }
        String name = settings.get(OnDemandSettings.JOB_NAME);
        JobDefinition<?, ?> job = JobDefinition.query(name, readable, Processor.sql(settings.get(OnDemandSettings.JOB_SQL)),
                settings.get(OnDemandSettings.JOB_LIMIT));
        return JobService.builder(name).job(job).syncRoute("/" + name, name).build();
    }
}
