package dev.kindling.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The configuration-only entry point: usage and configuration errors exit 2 with one line naming the settings. */
class MainIT {

    private record Run(int exit, String output) {
    }

    private static Run main(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().keySet().removeIf(k -> k.startsWith("KINDLING_"));
        b.environment().putAll(env);
        Process p = b.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutThePatternItExitsTwoNamingTheSetting() throws Exception {
        Run r = main(Map.of());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output().lines().filter(l -> l.contains("configuration error")).map(l -> l.substring(l.indexOf(' ') + 1))
                .toList()).containsExactly("ERROR Main: configuration error: a required setting is missing: kindling.service.pattern (environment KINDLING_PATTERN)");
    }

    @Test
    void anUnknownPatternIsAConfigurationError() throws Exception {
        Run r = main(Map.of("KINDLING_PATTERN", "batch"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("configuration error: setting kindling.service.pattern (from environment variable "
                + "KINDLING_PATTERN) is 'batch': not one of the allowed values; allowed: ondemand, continuous, streaming");
    }

    @Test
    void argumentsAreAUsageError() throws Exception {
        Run r = main(Map.of("KINDLING_PATTERN", "streaming"), "--help");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("usage: dev.kindling.service.Main takes no arguments");
    }
}
