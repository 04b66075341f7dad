package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest parses with the fabric8 Kubernetes model, strictly: an unknown field fails, as it
 * would with {@code kubectl apply --validate=strict}; and every file is applied by a kustomization.
 */
class ManifestParsingTest {
    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void everyManifestParsesStrictlyAndIsApplied(DeployedService service) {
        Manifests m = Manifests.of(service);
        assertThat(m.clientMode()).isNotEmpty();
        Set<Path> applied = new TreeSet<>(Kustomizations.files(service.k8s()));
        if (Files.isDirectory(service.k8s().resolve("operator"))) {
            applied.addAll(Kustomizations.files(service.k8s().resolve("operator")));
        }
        List<Path> stray = new ArrayList<>();
        for (Path f : Manifests.allYamlFiles(service)) {
            if (!f.getFileName().toString().equals("kustomization.yaml") && !applied.contains(f)) {
                stray.add(f);
            }
        }
        assertThat(stray).as("files no kustomization applies").isEmpty();
        for (HasMetadata o : m.clientMode()) {
            assertThat(o.getMetadata().getLabels()).as(o.getKind() + " " + o.getMetadata().getName())
                    .containsEntry("app.kubernetes.io/name", service.name())
                    .containsEntry("app.kubernetes.io/part-of", "kindling");
            assertThat(o.getMetadata().getNamespace()).as("the namespace is the one applied to").isNull();
        }
    }

    @ParameterizedTest
    @MethodSource("services")
    void onlyTheBatchJobsHaveAnOperatorVariant(DeployedService service) {
        assertThat(Manifests.of(service).sparkApplication().isPresent())
                .isEqualTo(DeployedService.WITH_SPARK_APPLICATION.contains(service.name()));
    }

    @Test
    void anUnknownFieldFails() {
        String misspelt = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x
                spec:
                  replica: 1
                  selector:
                    matchLabels: {a: b}
                  template:
                    metadata:
                      labels: {a: b}
                    spec:
                      containers: [{name: c, image: i}]
                """;
        assertThatThrownBy(() -> Manifests.parse(misspelt, "misspelt")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("replica");
        assertThat(Manifests.parse(misspelt.replace("replica:", "replicas:"), "right")).isInstanceOf(Deployment.class);
    }

    @Test
    void anUnknownNestedFieldOrKindFails() {
        String nested = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: x
                spec:
                  ports: [{port: 80, targetPort: http, protocl: TCP}]
                """;
        assertThatThrownBy(() -> Manifests.parse(nested, "nested")).hasMessageContaining("protocl");
        String unknownKind = """
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: x
                """;
        assertThatThrownBy(() -> Manifests.parse(unknownKind, "kind")).hasMessageContaining("not a kind the Kubernetes model knows");
    }
}
