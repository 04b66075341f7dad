package dev.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.service.ServiceSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every environment variable a manifest gives the driver is a real setting of that service (the list
 * comes from its {@code *Settings} classes, {@link Settings#settingsOf}), its value is one the setting
 * accepts, and no secret is written into a manifest: secret settings come from a Secret by reference.
 */
class ManifestSettingsTest {
    /**
     * What a driver's environment may hold besides settings, and why: the downward API's pod name and
     * namespace (expanded into JAVA_TOOL_OPTIONS) and the JVM's own options variable.
     */
    static final Set<String> NOT_SETTINGS = Set.of("POD_NAME", "POD_NAMESPACE", "JAVA_TOOL_OPTIONS");

    /** A connector URI option that names an environment variable holding a value: {@code password.env=PGPASSWORD}. */
    static final Pattern ENV_REFERENCE = Pattern.compile("[?&][a-z.]*\\.env=([A-Z][A-Z0-9_]*)");

    static Stream<DeployedService> services() {
        return DeployedService.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void namesOnlyRealSettingsOfTheService(DeployedService service) {
        Driver d = Driver.of(Manifests.of(service));
        Map<String, Setting<?>> settings = service.settingsByEnvironmentVariable();
        Set<String> referenced = referencedByValues(d.environment());
        List<String> unknown = new ArrayList<>();
        for (String name : allNames(d)) {
            if (!settings.containsKey(name) && !NOT_SETTINGS.contains(name) && !referenced.contains(name)) {
                unknown.add(name);
            }
        }
        assertThat(unknown).as("environment variables of %s that no setting of it reads", service).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("services")
    void givesEverySettingAValueItAccepts(DeployedService service) {
        Driver d = Driver.of(Manifests.of(service));
        Map<String, Setting<?>> settings = service.settingsByEnvironmentVariable();
        d.environment().forEach((name, value) -> {
            Setting<?> s = settings.get(name);
            if (s != null) {
                assertThatCode(() -> Settings.from(Map.of(), Map.of(name, value)).get(s)).as(name + "=" + value)
                        .doesNotThrowAnyException();
            }
        });
    }

    @ParameterizedTest
    @MethodSource("services")
    void takesSecretsFromASecretByReferenceOnly(DeployedService service) {
        Manifests m = Manifests.of(service);
        Driver d = Driver.of(m);
        Map<String, Setting<?>> settings = service.settingsByEnvironmentVariable();
        Set<String> referenced = referencedByValues(d.environment());
        for (EnvVar e : d.env()) {
            boolean secret = settings.containsKey(e.getName()) && settings.get(e.getName()).isSecret() || referenced.contains(e.getName());
            boolean fromSecret = e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null;
            if (secret) {
                assertThat(fromSecret).as(service + ": " + e.getName() + " comes from a secretKeyRef").isTrue();
                assertThat(e.getValue()).as(e.getName()).isNull();
            } else {
                assertThat(fromSecret).as(service + ": " + e.getName() + " is not a secret, so not from a Secret").isFalse();
            }
        }
        for (String cm : d.envFromConfigMaps()) {
            assertThat(m.configMapData(cm).keySet()).as("ConfigMap " + cm + " holds no secret")
                    .noneMatch(k -> settings.containsKey(k) && settings.get(k).isSecret() || referenced.contains(k));
        }
        List<HasMetadata> objects = new ArrayList<>(m.clientMode());
        objects.addAll(m.operator());
        assertThat(objects).as("a Secret is created by the operator of the cluster, never applied from here")
                .noneMatch(Secret.class::isInstance);
        if (service.http()) {
            assertThat(d.envVar(ServiceSettings.AUTH_TOKEN.env()).getValueFrom().getSecretKeyRef().getKey()).isEqualTo("auth-token");
        }
    }

    @ParameterizedTest
    @MethodSource("services")
    void setsNoSparkPropertyThatASettingOwns(DeployedService service) {
        Driver d = Driver.of(Manifests.of(service));
        assertThat(d.sparkProperties().keySet()).as("dynamic allocation comes from the kindling.spark.dynamic-allocation* settings")
                .noneMatch(k -> k.startsWith("spark.dynamicAllocation."))
                .doesNotContain("spark.master");
    }

    @Test
    void theSettingsListComesFromTheCode() {
        Set<String> sparkpi = new TreeSet<>(DeployedService.named("sparkpi").settingsByEnvironmentVariable().keySet());
        assertThat(sparkpi).contains("PORT", "KINDLING_HTTP_PORT", "KINDLING_AUTH_TOKEN", "KINDLING_AUTH_TOKEN_FILE",
                "SPARK_MASTER", "KINDLING_SPARK_DYNAMIC_ALLOCATION_MAX_EXECUTORS", "KINDLING_ONDEMAND_WORKERS", "SPARKPI_MAX_SAMPLES");
        assertThat(sparkpi).doesNotContain("KINDLING_CONTINUOUS_INTERVAL", "KAFKA_BOOTSTRAP_SERVERS");
        assertThat(referencedByValues(Map.of("X", "jdbc:postgresql://db/app?table=t&password.env=PGPASSWORD")))
                .containsExactly("PGPASSWORD");
    }

    private static Set<String> allNames(Driver d) {
        Set<String> names = new TreeSet<>();
        d.env().forEach(e -> names.add(e.getName()));
        for (String cm : d.envFromConfigMaps()) {
            names.addAll(d.manifests().configMapData(cm).keySet());
        }
        return names;
    }

    /** The variables that setting values name with {@code *.env=NAME} (a connector reads them itself). */
    static Set<String> referencedByValues(Map<String, String> environment) {
        Set<String> out = new TreeSet<>();
        for (String v : environment.values()) {
            Matcher matcher = ENV_REFERENCE.matcher(v);
            while (matcher.find()) {
                out.add(matcher.group(1));
            }
        }
        return out;
    }

}
