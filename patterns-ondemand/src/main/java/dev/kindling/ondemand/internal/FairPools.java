package dev.kindling.ondemand.internal;

import dev.kindling.config.Settings;
import dev.kindling.ipp.KindlingException;
import dev.kindling.ondemand.OnDemandSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FAIR scheduler pools of the on-demand jobs: one pool per job, named by the job, with the weight
 * and minimum share of {@link OnDemandSettings#POOL_WEIGHT} and {@link OnDemandSettings#POOL_MIN_SHARE},
 * declared in a Spark allocation file so that Spark never has to make one up (and warn that it did).
 *
 * <p>The allocation file is one per JVM and holds every pool declared so far, so that two job services
 * in one process ask Spark for the same {@code spark.scheduler.allocation.file}. Thread-safe.
 */
public final class FairPools {
    private static final Logger LOG = LoggerFactory.getLogger(FairPools.class);
    private static final Map<String, String> POOLS = new TreeMap<>();
    private static Path file;

    private FairPools() {
    }

    /** {@code spark.scheduler.mode=FAIR} and an allocation file that declares a pool for each of {@code jobs}. */
    public static synchronized Map<String, String> sparkDefaults(Collection<String> jobs, Settings settings) {
        int weight = settings.get(OnDemandSettings.POOL_WEIGHT);
        int minShare = settings.get(OnDemandSettings.POOL_MIN_SHARE);
        for (String job : jobs) {
            POOLS.put(job, "  <pool name=\"" + job + "\"><schedulingMode>FAIR</schedulingMode><weight>" + weight
                    + "</weight><minShare>" + minShare + "</minShare></pool>\n");
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!-- Kindling on-demand jobs: one FAIR pool per job -->\n"
                + "<allocations>\n");
        POOLS.values().forEach(xml::append);
        xml.append("</allocations>\n");
        try {
            if (file == null) {
                file = Files.createTempFile("kindling-ondemand-pools-", ".xml");
                file.toFile().deleteOnExit();
            }
            Files.writeString(file, xml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KindlingException("cannot write the FAIR scheduler allocation file of the on-demand jobs: " + e.getMessage(),
                    new UncheckedIOException(e));
        }
        return Map.of("spark.scheduler.mode", "FAIR", "spark.scheduler.allocation.file", file.toUri().toString());
    }

    /**
     * The pools of {@code jobs} that the running SparkContext declares. When some are missing (a session the
     * service did not create, or another allocation file), one INFO line says how to declare them; jobs
     * without a declared pool run in Spark's default pool, so Spark has no reason to warn.
     */
    public static Set<String> declared(SparkContext sc, Collection<String> jobs, String component) {
        Set<String> out = new LinkedHashSet<>();
        boolean fair = "FAIR".equals(sc.getSchedulingMode().toString());
        for (String job : jobs) {
            if (fair && sc.getPoolForName(job).isDefined()) {
                out.add(job);
            }
        }
        if (out.size() < jobs.size()) {
            List<String> missing = jobs.stream().filter(j -> !out.contains(j)).sorted().toList();
            LOG.info("{}: jobs {} run in Spark's default pool because the SparkSession (given to the service, or configured "
                    + "otherwise) does not declare their FAIR pools; to give each job its own pool, let the service create the session, "
                    + "or create it with spark.scheduler.mode=FAIR and spark.scheduler.allocation.file naming a file with a <pool> per job "
                    + "(JobService.sparkDefaults(settings) returns both)", component, missing);
        }
        return out;
    }
}
