package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Setting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code SparkApplication} of the batch jobs, for the Apache Spark Kubernetes Operator
 * ({@code spark.apache.org/v1}). fabric8 has no model for it, so its fields are checked against the list
 * below (from the operator's CRD), and the pod templates inside it against the fabric8 model.
 */
class SparkApplicationTest {
    static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    static final Set<String> METADATA = Set.of("name", "labels", "annotations");
    static final Set<String> SPEC = Set.of("mainClass", "jars", "files", "pyFiles", "driverArgs", "sparkConf", "runtimeVersions",
            "deploymentMode", "driverSpec", "executorSpec", "applicationTolerations", "configMapSpecs", "driverServiceIngressList");
    static final Set<String> RUNTIME_VERSIONS = Set.of("sparkVersion", "scalaVersion", "jdkVersion");
    static final Set<String> POD_SPEC = Set.of("podTemplateSpec");
    static final Set<String> TOLERATIONS = Set.of("restartConfig", "resourceRetainPolicy", "ttlAfterStopMillis", "instanceConfig",
            "applicationTimeoutConfig", "resourceRetainDurationMillis");
    static final Set<String> RESTART_CONFIG = Set.of("restartPolicy", "maxRestartAttempts", "restartBackoffMillis");
    static final Set<String> RESTART_POLICIES = Set.of("Never", "Always", "OnFailure", "OnInfrastructureFailure");
    static final Set<String> RETAIN_POLICIES = Set.of("Always", "OnFailure", "Never");

    static Stream<DeployedService> batchJobs() {
        return DeployedService.WITH_SPARK_APPLICATION.stream().map(DeployedService::named);
    }

    @ParameterizedTest
    @MethodSource("batchJobs")
    void hasOnlyTheOperatorsFields(DeployedService service) {
        Map<String, Object> app = Manifests.of(service).sparkApplication().orElseThrow();
        assertThat(app.keySet()).isSubsetOf(TOP);
        assertThat(app).containsEntry("apiVersion", "spark.apache.org/v1").containsEntry("kind", "SparkApplication");
        assertThat(map(app, "metadata").keySet()).isSubsetOf(METADATA);
        Map<String, Object> spec = map(app, "spec");
        assertThat(spec.keySet()).isSubsetOf(SPEC).contains("mainClass", "jars", "runtimeVersions", "sparkConf");
        assertThat(map(spec, "runtimeVersions").keySet()).isSubsetOf(RUNTIME_VERSIONS).contains("sparkVersion");
        assertThat(map(spec, "runtimeVersions")).containsEntry("sparkVersion", System.getProperty("kindling.spark.version", "4.2.0"))
                .containsEntry("scalaVersion", System.getProperty("kindling.scala.binary.version", "2.13"));
        assertThat(spec).containsEntry("deploymentMode", "ClusterMode");
        assertThat(spec.get("driverArgs")).isInstanceOf(List.class);
        assertThat((List<?>) spec.get("driverArgs")).allMatch(String.class::isInstance);
        Map<String, Object> tolerations = map(spec, "applicationTolerations");
        assertThat(tolerations.keySet()).isSubsetOf(TOLERATIONS);
        assertThat(map(tolerations, "restartConfig").keySet()).isSubsetOf(RESTART_CONFIG);
        assertThat(RESTART_POLICIES).contains((String) map(tolerations, "restartConfig").get("restartPolicy"));
        assertThat(RETAIN_POLICIES).contains((String) tolerations.get("resourceRetainPolicy"));
        for (String side : List.of("driverSpec", "executorSpec")) {
            assertThat(map(spec, side).keySet()).isSubsetOf(POD_SPEC);
            Manifests.STRICT.convertValue(map(spec, side).get("podTemplateSpec"), PodTemplateSpec.class);
        }
    }

    @ParameterizedTest
    @MethodSource("batchJobs")
    void runsTheSameJarImageAndAccountAsTheClientModeDriver(DeployedService service) throws Exception {
        Manifests m = Manifests.of(service);
        Map<String, Object> spec = map(m.sparkApplication().orElseThrow(), "spec");
        assertThat(spec).containsEntry("mainClass", service.mainClass()).containsEntry("jars", "local:///opt/kindling/app.jar");
        Class.forName(service.mainClass(), false, getClass().getClassLoader());
        Map<String, Object> conf = map(spec, "sparkConf");
        assertThat(conf.keySet()).allMatch(k -> k.startsWith("spark."));
        assertThat(conf.values()).allMatch(String.class::isInstance);
        assertThat(conf).containsEntry("spark.kubernetes.container.image", Driver.of(m).container().getImage());
        String account = (String) conf.get("spark.kubernetes.authenticate.driver.serviceAccountName");
        assertThat(m.operator()).anyMatch(o -> o instanceof ServiceAccount && account.equals(o.getMetadata().getName()));
        assertThat(m.operator()).anyMatch(o -> o instanceof RoleBinding b && account.equals(b.getSubjects().get(0).getName()));
    }

    @ParameterizedTest
    @MethodSource("batchJobs")
    void givesTheDriverPodOnlyRealSettingsSecretsByReferenceAndTheRealProbes(DeployedService service) {
        Map<String, Object> spec = map(Manifests.of(service).sparkApplication().orElseThrow(), "spec");
        PodTemplateSpec driver = Manifests.STRICT.convertValue(map(spec, "driverSpec").get("podTemplateSpec"), PodTemplateSpec.class);
        Map<String, Setting<?>> settings = service.settingsByEnvironmentVariable();
        for (Container c : driver.getSpec().getContainers()) {
            for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                assertThat(settings).as("a setting of " + service).containsKey(e.getName());
                boolean fromSecret = e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null;
                assertThat(fromSecret).as(e.getName() + " from a Secret").isEqualTo(settings.get(e.getName()).isSecret());
            }
            if (service.http()) {
                assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
                assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
                assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
