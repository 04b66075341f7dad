package dev.kindling.deploy;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.examples.enrich.EnrichSettings;
import dev.kindling.examples.recommender.RecommenderSettings;
import dev.kindling.examples.sparkpi.SparkPiSettings;
import dev.kindling.examples.wordcount.WordCountSettings;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.ServiceSettings;
import dev.kindling.spark.SparkSettings;
import dev.kindling.streaming.StreamingSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service (or batch job) that has a Dockerfile and Kubernetes manifests, with what its code reads:
 * the {@code *Settings} classes whose {@code Setting} constants it uses. The list of settings itself is
 * never kept here: it comes from {@link Settings#settingsOf}.
 *
 * <pre>{@code
 * DeployedService etl = DeployedService.named("etl");
 * Map<String, Setting<?>> byEnv = etl.settingsByEnvironmentVariable();   // PORT, KINDLING_CONTINUOUS_INTERVAL, ...
 * }</pre>
 *
 * @param name      the directory name and the name of its Kubernetes objects ({@code evens}, ..., {@code kindling-service})
 * @param directory the module directory, relative to the project root ({@code examples/evens}, {@code service})
 * @param http      whether it is an HTTP service (a {@code KindlingService}): a Deployment with probes; else a batch job
 * @param mainClass the class its image runs
 * @param holders   the settings classes its code reads
 */
record DeployedService(String name, String directory, boolean http, String mainClass, List<Class<?>> holders) {

    /** Every service with an image and manifests: the six examples and the configuration-only service. */
    static final List<DeployedService> ALL = List.of(
            new DeployedService("evens", "examples/evens", false, "dev.kindling.examples.evens.EvensApp",
                    List.of(SparkSettings.class)),
            new DeployedService("sparkpi", "examples/sparkpi", true, "dev.kindling.examples.sparkpi.SparkPiApp",
                    List.of(ServiceSettings.class, SparkSettings.class, OnDemandSettings.class, SparkPiSettings.class)),
            new DeployedService("etl", "examples/etl", true, "dev.kindling.examples.etl.EtlApp",
                    List.of(ServiceSettings.class, SparkSettings.class, ContinuousSettings.class)),
            new DeployedService("recommender", "examples/recommender", true, "dev.kindling.examples.recommender.RecommenderApp",
                    List.of(ServiceSettings.class, SparkSettings.class, ContinuousSettings.class, OnDemandSettings.class,
                            RecommenderSettings.class)),
            new DeployedService("wordcount", "examples/wordcount", true, "dev.kindling.examples.wordcount.WordCountApp",
                    List.of(ServiceSettings.class, SparkSettings.class, StreamingSettings.class, WordCountSettings.class)),
            new DeployedService("enrich", "examples/enrich", true, "dev.kindling.examples.enrich.EnrichApp",
                    List.of(ServiceSettings.class, SparkSettings.class, ContinuousSettings.class, StreamingSettings.class,
                            EnrichSettings.class)),
            new DeployedService("kindling-service", "service", true, "dev.kindling.service.Main",
                    List.of(ServiceSettings.class, SparkSettings.class, OnDemandSettings.class, ContinuousSettings.class,
                            StreamingSettings.class)));

    /** The batch jobs that also get a {@code SparkApplication} for the Apache Spark Kubernetes Operator. */
    static final List<String> WITH_SPARK_APPLICATION = List.of("evens", "etl");

    static DeployedService named(String name) {
        return ALL.stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /** The project root (the surefire configuration passes it; a run from deploy/ falls back to ..). */
    static Path projectRoot() {
        return Path.of(System.getProperty("kindling.project.root", "..")).toAbsolutePath().normalize();
    }

    Path dir() {
        return projectRoot().resolve(directory);
    }

    Path k8s() {
        return dir().resolve("k8s");
    }

    /**
     * Every environment variable that sets one of this service's settings, to its setting: the setting's own
     * variable, the one derived from its name ({@code kindling.http.host} → {@code KINDLING_HTTP_HOST}) and,
     * for a secret, the {@code _FILE} form; as {@link Settings#get} reads them.
     */
    Map<String, Setting<?>> settingsByEnvironmentVariable() {
        Map<String, Setting<?>> out = new LinkedHashMap<>();
        for (Setting<?> s : Settings.settingsOf(holders.toArray(Class<?>[]::new))) {
            out.put(s.env(), s);
            out.put(Setting.envNameOf(s.name()), s);
            if (s.isSecret()) {
                out.put(s.env() + "_FILE", s);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
