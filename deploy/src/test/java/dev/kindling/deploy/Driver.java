package dev.kindling.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The driver of one service as its client-mode manifests run it: the pod template of its Deployment (an
 * HTTP service) or Job (a batch job), its {@code driver} container, the environment that container sees
 * (ConfigMaps through {@code envFrom}, then {@code env}) and the Spark properties file it reads.
 *
 * <pre>{@code
 * Driver d = Driver.of(Manifests.of(DeployedService.named("sparkpi")));
 * d.environment().get("PORT");                 // "8080"
 * d.sparkProperties().get("spark.driver.port"); // "7078"
 * }</pre>
 */
record Driver(Manifests manifests, PodTemplateSpec template, Container container) {
    static final String CONTAINER = "driver";
    static final String SPARK_PROPERTIES_ENV = "KINDLING_SPARK_PROPERTIES";

    static Driver of(Manifests m) {
        PodTemplateSpec template = m.service().http()
                ? m.one(Deployment.class).getSpec().getTemplate()
                : m.one(Job.class).getSpec().getTemplate();
        Container c = template.getSpec().getContainers().stream().filter(x -> CONTAINER.equals(x.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(m.service() + ": the pod has no container named " + CONTAINER));
        return new Driver(m, template, c);
    }

    List<EnvVar> env() {
        return container.getEnv() == null ? List.of() : container.getEnv();
    }

    /** The names of the ConfigMaps the container takes as environment variables. */
    List<String> envFromConfigMaps() {
        List<EnvFromSource> from = container.getEnvFrom() == null ? List.of() : container.getEnvFrom();
        for (EnvFromSource s : from) {
            if (s.getConfigMapRef() == null || s.getPrefix() != null) {
                throw new AssertionError(manifests.service() + ": envFrom only from a ConfigMap, without a prefix");
            }
        }
        return from.stream().map(s -> s.getConfigMapRef().getName()).toList();
    }

    /** Literal environment values (ConfigMaps, then {@code env} entries with a {@code value}), by name. */
    Map<String, String> environment() {
        Map<String, String> out = new LinkedHashMap<>();
        envFromConfigMaps().forEach(name -> out.putAll(manifests.configMapData(name)));
        env().stream().filter(e -> e.getValue() != null).forEach(e -> out.put(e.getName(), e.getValue()));
        return out;
    }

    EnvVar envVar(String name) {
        return env().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(manifests.service() + ": the driver has no env " + name));
    }

    /** The file KINDLING_SPARK_PROPERTIES names, read from the ConfigMap mounted at its folder. */
    Map<String, String> sparkProperties() {
        String path = environment().get(SPARK_PROPERTIES_ENV);
        if (path == null) {
            throw new AssertionError(manifests.service() + ": the driver has no " + SPARK_PROPERTIES_ENV);
        }
        String folder = path.substring(0, path.lastIndexOf('/'));
        String key = path.substring(path.lastIndexOf('/') + 1);
        String volume = container.getVolumeMounts().stream().filter(v -> folder.equals(v.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError(manifests.service() + ": nothing is mounted at " + folder)).getName();
        String configMap = template.getSpec().getVolumes().stream().filter(v -> volume.equals(v.getName())).findFirst()
                .map(v -> v.getConfigMap() == null ? null : v.getConfigMap().getName())
                .orElseThrow(() -> new AssertionError(manifests.service() + ": volume " + volume + " is not a ConfigMap"));
        String text = manifests.configMapData(configMap).get(key);
        if (text == null) {
            throw new AssertionError(manifests.service() + ": ConfigMap " + configMap + " has no key " + key);
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }

    /** The {@code -Dname=value} system properties JAVA_TOOL_OPTIONS sets, by name. */
    Map<String, String> systemProperties() {
        String opts = environment().getOrDefault("JAVA_TOOL_OPTIONS", "");
        Map<String, String> out = new TreeMap<>();
        for (String word : opts.trim().split("\\s+")) {
            if (word.startsWith("-D") && word.contains("=")) {
                out.put(word.substring(2, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
            }
        }
        return out;
    }

    Map<String, String> podLabels() {
        return template.getMetadata().getLabels();
    }

    int containerPort(String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(manifests.service() + ": the driver has no port named " + name))
                .getContainerPort();
    }
}
