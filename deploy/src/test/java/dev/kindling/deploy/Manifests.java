package dev.kindling.deploy;

import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Kubernetes manifests of one service, read the way the API server would refuse them: every object
 * but a {@code SparkApplication} through the fabric8 model with unknown fields failing (the model's
 * catch-all {@code additionalProperties} turned off), the {@code SparkApplication} (no fabric8 model) and
 * the {@code kustomization.yaml} files as plain YAML.
 *
 * <pre>{@code
 * Manifests m = Manifests.of(DeployedService.named("etl"));
 * Deployment d = m.one(Deployment.class);                // the client-mode driver
 * Map<String, Object> app = m.sparkApplication().get();  // operator/sparkapplication.yaml
 * }</pre>
 */
final class Manifests {
    private static final ObjectMapper STRICT_MAPPER = new ObjectMapper();
    static final KubernetesSerialization STRICT = strict();
    static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());

    private final DeployedService service;
    /** The objects the client-mode kustomization (k8s/) applies, by file. */
    private final Map<Path, HasMetadata> clientMode;
    /** The objects of k8s/operator/, when there is one (the SparkApplication excluded). */
    private final Map<Path, HasMetadata> operator;
    private final Map<String, Object> sparkApplication;

    private Manifests(DeployedService service) {
        this.service = service;
        this.clientMode = load(Kustomizations.files(service.k8s()));
        Path op = service.k8s().resolve("operator");
        if (Files.isDirectory(op)) {
            List<Path> files = Kustomizations.files(op);
            Path app = files.stream().filter(f -> f.getFileName().toString().equals("sparkapplication.yaml")).findFirst()
                    .orElseThrow(() -> new AssertionError(op + " has no sparkapplication.yaml"));
            this.sparkApplication = yaml(app);
            this.operator = load(files.stream().filter(f -> !f.equals(app)).toList());
        } else {
            this.sparkApplication = null;
            this.operator = Map.of();
        }
    }

    static Manifests of(DeployedService service) {
        return new Manifests(service);
    }

    private static KubernetesSerialization strict() {
        KubernetesSerialization serialization = new KubernetesSerialization(STRICT_MAPPER, true);
        // after the constructor, which configures the mapper its own (lenient) way
        STRICT_MAPPER.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        AnnotationIntrospector noCatchAll = new JacksonAnnotationIntrospector() {
            @Override
            public Boolean hasAnySetter(Annotated a) {
                return Boolean.FALSE;
            }
        };
        STRICT_MAPPER.setAnnotationIntrospector(AnnotationIntrospector.pair(noCatchAll,
                STRICT_MAPPER.getDeserializationConfig().getAnnotationIntrospector()));
        return serialization;
    }

    /** One object from YAML text, strictly; an unknown field or an unknown kind fails. */
    static HasMetadata parse(String yamlText, String source) {
        Object parsed;
        try {
            parsed = STRICT.unmarshal(yamlText);
        } catch (RuntimeException e) {
            throw new AssertionError(source + ": not a valid Kubernetes object: " + e.getMessage(), e);
        }
        if (!(parsed instanceof HasMetadata object) || parsed instanceof GenericKubernetesResource) {
            throw new AssertionError(source + ": not a kind the Kubernetes model knows (" + parsed.getClass().getSimpleName() + ")");
        }
        return object;
    }

    private static Map<Path, HasMetadata> load(List<Path> files) {
        Map<Path, HasMetadata> out = new LinkedHashMap<>();
        for (Path f : files) {
            out.put(f, parse(read(f), f.toString()));
        }
        return out;
    }

    static String read(Path file) {
        try {
            String text = Files.readString(file);
            if (text.lines().anyMatch(l -> l.equals("---"))) {
                throw new AssertionError(file + ": one object per file, please (found ---)");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try {
            return YAML.readValue(read(file), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not YAML", e);
        }
    }

    /** Every YAML file under the service's k8s/ folder. */
    static List<Path> allYamlFiles(DeployedService service) {
        try (Stream<Path> s = Files.walk(service.k8s())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DeployedService service() {
        return service;
    }

    List<HasMetadata> clientMode() {
        return List.copyOf(clientMode.values());
    }

    List<HasMetadata> operator() {
        return List.copyOf(operator.values());
    }

    Optional<Map<String, Object>> sparkApplication() {
        return Optional.ofNullable(sparkApplication);
    }

    /** The client-mode objects of one type. */
    <T extends HasMetadata> List<T> all(Class<T> type) {
        List<T> out = new ArrayList<>();
        clientMode.values().stream().filter(type::isInstance).map(type::cast).forEach(out::add);
        return out;
    }

    /** The one client-mode object of this type; fails when there are none or several. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError(service + ": expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The client-mode object of this type and name. */
    <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(service + ": no " + type.getSimpleName() + " named " + name));
    }

    /** The data of the ConfigMap of this name. */
    Map<String, String> configMapData(String name) {
        Map<String, String> data = named(ConfigMap.class, name).getData();
        return data == null ? Map.of() : data;
    }
}
