package dev.kindling.site.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.config.Setting;
import dev.kindling.service.ServiceSettings;
import dev.kindling.site.SourceTree;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationReferenceTest {
    /** Declares a setting of the same name as ServiceSettings.PORT (as two examples both read kindling.embedded). */
    public static final class Twin {
        public static final Setting<Integer> PORT = ServiceSettings.PORT;
    }

    private static final Path ROOT = Path.of(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();

    @Test
    void aSettingIsARowWithItsEnvironmentVariableTypeAndDefault() throws Exception {
        SettingEntry port = SettingEntry.of(ServiceSettings.class.getField("PORT"));
        assertThat(port.type()).isEqualTo("integer");
        assertThat(port.defaultText()).isEqualTo("8080");
        assertThat(port.name()).isEqualTo("kindling.http.port");

        SourceTree tree = new SourceTree(ROOT);
        SettingHolder holder = new SettingHolder(ServiceSettings.class, tree.moduleOf(ServiceSettings.class.getName()).orElseThrow(),
                tree.summaryOf(ServiceSettings.class.getName()), SettingScanner.settingsOf(ServiceSettings.class),
                SettingScanner.prefixesOf(ServiceSettings.class));
        String adoc = ConfigurationReference.render(List.of(holder));

        assertThat(holder.module().folder()).isEqualTo("core");
        assertThat(adoc).contains("[#module-kindling-core]\n== kindling-core")
                .contains("[#settings-servicesettings]\n=== ServiceSettings")
                .contains("| [[setting-kindling-http-port]]``pass:c[kindling.http.port]`` +\nenv ``pass:c[" + ServiceSettings.PORT.env() + "]``")
                .contains("| ``pass:c[8080]``")
                .contains("[#environment-index]");
        assertThat(holder.settings()).extracting(SettingEntry::field).contains("PORT", "HOST", "AUTH_TOKEN", "PATTERN");
        assertThat(SettingEntry.of(ServiceSettings.class.getField("AUTH_TOKEN")).type()).isEqualTo("secret");
    }

    @Test
    void aNameDeclaredTwiceGetsAnAnchorPerClass() {
        SourceTree.Module module = new SourceTree.Module("core", "kindling-core");
        SettingHolder first = new SettingHolder(ServiceSettings.class, module, "", SettingScanner.settingsOf(ServiceSettings.class), List.of());
        SettingHolder twin = new SettingHolder(Twin.class, module, "", SettingScanner.settingsOf(Twin.class), List.of());

        var anchors = ConfigurationReference.anchors(List.of(first, twin));

        assertThat(anchors.get(first.settings().get(0))).isEqualTo("setting-kindling-http-port");
        assertThat(anchors.get(twin.settings().get(0))).isEqualTo("setting-twin-kindling-http-port");
        assertThat(ConfigurationReference.render(List.of(first, twin))).contains("[[setting-twin-kindling-http-port]]")
                .contains("<<setting-twin-kindling-http-port,kindling.http.port>>");
    }
}
