package dev.kindling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class SettingsTest {
    public static final Setting<Integer> PORT = Setting.integer("kindling.http.port", 8080, 0, 65535, "port").env("PORT");
    public static final Setting<String> TOKEN = Setting.secret("kindling.auth.token", "token");

    @TempDir
    Path dir;

    @Test
    void precedenceIsSystemPropertyThenEnvironmentThenFileThenDefault() throws Exception {
        Path file = dir.resolve("k.properties");
        Files.writeString(file, "kindling.http.port=7000\n");
        assertThat(Settings.from(Map.of(), Map.of()).get(PORT)).isEqualTo(8080);
        assertThat(Settings.from(Map.of(), Map.of("KINDLING_CONFIG", file.toString())).get(PORT)).isEqualTo(7000);
        assertThat(Settings.from(Map.of(), Map.of("KINDLING_CONFIG", file.toString(), "PORT", "7001")).get(PORT)).isEqualTo(7001);
        assertThat(Settings.from(Map.of(), Map.of("KINDLING_HTTP_PORT", "7003")).get(PORT)).isEqualTo(7003);
        assertThat(Settings.from(Map.of("kindling.http.port", "7002"), Map.of("KINDLING_CONFIG", file.toString(), "PORT", "7001"))
                .get(PORT)).isEqualTo(7002);
    }

    @Test
    void badValuesNameTheSettingTheSourceAndTheAllowedRange() {
        assertThatThrownBy(() -> Settings.from(Map.of(), Map.of("PORT", "http")).get(PORT))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("setting kindling.http.port (from environment variable PORT) is 'http': not a whole number; allowed: 0..65535");
        assertThatThrownBy(() -> Settings.of(Map.of("kindling.http.port", "70000")).get(PORT))
                .hasMessageContaining("out of range; allowed: 0..65535");
    }

    @Test
    void secretsComeFromAFileAndAreNeverEchoed() throws Exception {
        Path secret = dir.resolve("token");
        Files.writeString(secret, "s3cret\n");
        assertThat(Settings.from(Map.of(), Map.of("KINDLING_AUTH_TOKEN_FILE", secret.toString())).get(TOKEN)).isEqualTo("s3cret");
        assertThat(Settings.describe(SettingsTest.class)).doesNotContain("s3cret").contains("`kindling.auth.token`");
        Setting<String> oneOf = Setting.secret("x.key", "k").oneOf("a");
        assertThatThrownBy(() -> Settings.of(Map.of("x.key", "hunter2")).get(oneOf)).hasMessageNotContaining("hunter2").hasMessageContaining("****");
    }

    @Test
    void parsesDurations() {
        assertThat(Setting.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Setting.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Setting.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Setting.parseDuration("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> Setting.parseDuration("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void describeListsEverySetting() {
        assertThat(Settings.describe(SettingsTest.class)).isEqualTo(
                "| setting | environment | default | allowed | description |\n| --- | --- | --- | --- | --- |\n"
                        + "| `kindling.http.port` | `PORT` | 8080 | 0..65535 | port |\n"
                        + "| `kindling.auth.token` | `KINDLING_AUTH_TOKEN` | (none) | any text; also read from the file named by "
                        + "KINDLING_AUTH_TOKEN_FILE | token |\n");
    }

    @Test
    void missingSettingsFileIsAClearError() {
        assertThatThrownBy(() -> Settings.from(Map.of("kindling.config", dir.resolve("nope").toString()), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot read the settings file");
    }
}
