package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Settings;
import dev.kindling.service.ServiceSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client-mode driver of every service, as issue 10 lists it: one replica, the Kubernetes master,
 * the driver pod's own name through the downward API, a headless Service on Spark's fixed driver ports,
 * its ServiceAccount bound to its Role, resources, a grace period above the service's shutdown grace,
 * a PodDisruptionBudget and, for an HTTP service, an HTTP Service and the three probes on the port the
 * service's {@code PORT} setting gives.
 */
class DriverManifestTest {
    static final String K8S_MASTER = "k8s://https://kubernetes.default.svc:443";

    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    static Stream<DeployedService> httpServices() {
        return DeployedService.ALL.stream().filter(DeployedService::http);
    }

    @ParameterizedTest
    @MethodSource("services")
    void runsOneDriverInClientModeOnTheKubernetesMaster(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        if (service.http()) {
            Deployment deployment = m.one(Deployment.class);
            assertThat(deployment.getSpec().getReplicas()).as("one driver owns the executors").isEqualTo(1);
            assertThat(deployment.getSpec().getStrategy().getType()).as("never two drivers at once").isEqualTo("Recreate");
            assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(subset(d.podLabels(),
                    deployment.getSpec().getSelector().getMatchLabels()));
        } else {
            assertThat(m.all(Deployment.class)).isEmpty();
            assertThat(m.one(Job.class).getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        }
        assertThat(d.environment()).containsEntry("SPARK_MASTER", K8S_MASTER);
        assertThat(d.environment()).doesNotContainKey("KINDLING_EMBEDDED");
        assertThat(d.container().getImage()).isEqualTo("kindling/" + imageName(service) + ":0.1.0-SNAPSHOT")
                .isEqualTo(d.sparkProperties().get("spark.kubernetes.container.image"));
        assertThat(d.sparkProperties()).containsEntry("spark.driver.bindAddress", "0.0.0.0")
                .containsEntry("spark.executor.extraClassPath", "/opt/kindling/app.jar");
        assertThat(d.sparkProperties().getOrDefault("spark.kubernetes.allocation.pods.allocator", "direct"))
                .as("the direct allocator: executor pods, no StatefulSet or Deployment (the Role grants no apps/*)")
                .isEqualTo("direct");
        assertThat(d.sparkProperties().keySet()).allMatch(k -> k.startsWith("spark."));
    }

    @ParameterizedTest
    @MethodSource("services")
    void namesTheDriverPodThroughTheDownwardApi(DeployedService service) {
        Driver d = Driver.of(Manifests.of(service));
        assertThat(fieldRef(d.envVar("POD_NAME"))).isEqualTo("metadata.name");
        assertThat(fieldRef(d.envVar("POD_NAMESPACE"))).isEqualTo("metadata.namespace");
        List<String> order = d.env().stream().map(EnvVar::getName).toList();
        assertThat(order.indexOf("POD_NAME")).as("$(POD_NAME) expands only names defined before it")
                .isLessThan(order.indexOf("JAVA_TOOL_OPTIONS"));
        assertThat(order.indexOf("POD_NAMESPACE")).isLessThan(order.indexOf("JAVA_TOOL_OPTIONS"));
        String headless = service.name() + "-driver";
        assertThat(d.systemProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "spark.kubernetes.driver.pod.name", "$(POD_NAME)",
                "spark.kubernetes.namespace", "$(POD_NAMESPACE)",
                "spark.driver.host", headless + ".$(POD_NAMESPACE).svc"));
    }

    @ParameterizedTest
    @MethodSource("services")
    void givesTheDriverAStableHostOnFixedPorts(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        Service headless = m.named(Service.class, service.name() + "-driver");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("executors start before /readyz is 200").isTrue();
        assertThat(d.podLabels()).containsAllEntriesOf(headless.getSpec().getSelector());
        int rpc = Integer.parseInt(d.sparkProperties().get("spark.driver.port"));
        int blocks = Integer.parseInt(d.sparkProperties().get("spark.driver.blockManager.port"));
        assertThat(headless.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactlyInAnyOrder(rpc, blocks);
        for (ServicePort p : headless.getSpec().getPorts()) {
            assertThat(d.containerPort(p.getTargetPort().getStrVal())).isEqualTo(p.getPort());
        }
    }

    @ParameterizedTest
    @MethodSource("services")
    void bindsItsServiceAccountToItsRole(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        String account = d.template().getSpec().getServiceAccountName();
        assertThat(account).isEqualTo(service.name() + "-driver");
        m.named(ServiceAccount.class, account);
        RoleBinding binding = m.one(RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(m.one(Role.class).getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account);
            assertThat(s.getNamespace()).as("the binding's own namespace").isNull();
        });
    }

    @ParameterizedTest
    @MethodSource("services")
    void hasResourcesAGracePeriodAboveTheShutdownGraceAndADisruptionBudget(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        Container c = d.container();
        for (Map<String, Quantity> r : List.of(c.getResources().getRequests(), c.getResources().getLimits())) {
            assertThat(r).containsKeys("cpu", "memory");
        }
        assertThat(c.getResources().getLimits().get("memory")).isEqualTo(c.getResources().getRequests().get("memory"));
        Duration grace = Settings.from(Map.of(), d.environment()).get(ServiceSettings.SHUTDOWN_GRACE);
        long preStop = preStopSeconds(c);
        assertThat(d.template().getSpec().getTerminationGracePeriodSeconds())
                .as("above kindling.shutdown.grace (%s) plus the preStop pause (%ss)", grace, preStop)
                .isGreaterThan(grace.toSeconds() + preStop);
        PodDisruptionBudget pdb = m.one(PodDisruptionBudget.class);
        assertThat(d.podLabels()).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    }

    @ParameterizedTest
    @MethodSource("httpServices")
    void probesAndServesHttpOnThePortOfItsPortSetting(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        int port = Settings.from(Map.of(), d.environment()).get(ServiceSettings.PORT);
        assertThat(d.containerPort("http")).isEqualTo(port);
        Container c = d.container();
        assertThat(probe(c.getStartupProbe(), d)).isEqualTo("/healthz");
        assertThat(probe(c.getLivenessProbe(), d)).isEqualTo("/healthz");
        assertThat(probe(c.getReadinessProbe(), d)).isEqualTo("/readyz");
        assertThat((long) c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .as("the startup probe allows for Spark's start and the warm-up").isGreaterThanOrEqualTo(120);
        Service http = m.named(Service.class, service.name());
        assertThat(d.podLabels()).containsAllEntriesOf(http.getSpec().getSelector());
        assertThat(http.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(port);
        });
    }

    @ParameterizedTest
    @MethodSource("services")
    void templatesExecutorPodsThatParseStrictly(DeployedService service) {
        Manifests m = Manifests.of(service);
        Map<String, String> spark = Driver.of(m).sparkProperties();
        String file = spark.get("spark.kubernetes.executor.podTemplateFile");
        String folder = Driver.of(m).environment().get(Driver.SPARK_PROPERTIES_ENV);
        assertThat(file).startsWith(folder.substring(0, folder.lastIndexOf('/') + 1));
        String key = file.substring(file.lastIndexOf('/') + 1);
        String configMap = m.all(ConfigMap.class).stream()
                .filter(c -> c.getData() != null && c.getData().containsKey(key)).findFirst().orElseThrow().getMetadata().getName();
        Pod pod = (Pod) Manifests.parse(m.configMapData(configMap).get(key), configMap + "/" + key);
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly(spark.get("spark.kubernetes.executor.podTemplateContainerName"));
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).as("executors call no API").isFalse();
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("services")
    void runsAsTheImagesUnprivilegedUser(DeployedService service) {
        Driver d = Driver.of(Manifests.of(service));
        assertThat(d.template().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(d.template().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(DockerfileTest.SPARK_UID);
        assertThat(d.container().getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }

    /** The path of an HTTP probe, after checking that it targets the driver's {@code http} port. */
    static String probe(Probe probe, Driver d) {
        assertThat(probe).as("probe").isNotNull();
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        d.containerPort("http");
        return probe.getHttpGet().getPath();
    }

    static String imageName(DeployedService service) {
        return service.name().equals("kindling-service") ? "service" : service.name();
    }

    private static long preStopSeconds(Container c) {
        if (c.getLifecycle() == null || c.getLifecycle().getPreStop() == null) {
            return 0;
        }
        List<String> cmd = c.getLifecycle().getPreStop().getExec().getCommand();
        assertThat(cmd).hasSize(2).first().isEqualTo("/bin/sleep");
        return Long.parseLong(cmd.get(1));
    }

    private static String fieldRef(EnvVar e) {
        assertThat(e.getValueFrom()).as(e.getName() + " comes from the downward API").isNotNull();
        return e.getValueFrom().getFieldRef().getFieldPath();
    }

    private static Map<String, String> subset(Map<String, String> labels, Map<String, String> selector) {
        assertThat(labels).containsAllEntriesOf(selector);
        return selector;
    }
}
