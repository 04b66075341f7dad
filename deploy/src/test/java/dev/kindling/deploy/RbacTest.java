package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Role of every driver grants what Spark's Kubernetes backend calls (read from Spark's own class
 * files by {@link SparkKubernetesCalls}), in the core API group only, on no resource it does not call.
 */
class RbacTest {
    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    @Test
    void theScanFindsTheExecutorPodLifecycle() {
        Map<String, Set<String>> verbs = SparkKubernetesCalls.driverVerbs();
        assertThat(verbs.get("pods")).contains("create", "delete", "deletecollection", "get", "list", "watch", "patch");
        assertThat(verbs.get("configmaps")).contains("create", "delete");
        assertThat(verbs.get("persistentvolumeclaims")).contains("create", "list", "delete");
        assertThat(verbs.keySet()).as("with the default allocator and no plugins: the core API group only")
                .containsExactlyInAnyOrder("pods", "configmaps", "services", "persistentvolumeclaims");
    }

    @ParameterizedTest
    @MethodSource("services")
    void grantsWhatTheSparkKubernetesBackendCalls(DeployedService service) {
        Role role = Manifests.of(service).one(Role.class);
        Map<String, Set<String>> granted = new TreeMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).as("the core API group").containsExactly("");
            assertThat(rule.getResourceNames()).as("Spark names its pods at run time").isNullOrEmpty();
            assertThat(rule.getVerbs()).doesNotContain("*");
            for (String r : rule.getResources()) {
                granted.computeIfAbsent(r, k -> new TreeSet<>()).addAll(rule.getVerbs());
            }
        }
        Map<String, Set<String>> needed = SparkKubernetesCalls.driverVerbs();
        assertThat(granted.keySet()).as("no resource the driver does not call").isSubsetOf(needed.keySet());
        needed.forEach((resource, verbs) -> assertThat(granted.getOrDefault(resource, Set.of()))
                .as("%s: verbs on %s", service, resource).containsAll(verbs));
    }
}
