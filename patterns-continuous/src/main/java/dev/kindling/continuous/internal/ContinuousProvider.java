package dev.kindling.continuous.internal;

import dev.kindling.config.Settings;
import dev.kindling.continuous.ContinuousRunner;
import dev.kindling.continuous.ContinuousSettings;
import dev.kindling.service.Component;
import dev.kindling.service.ComponentProvider;
import java.util.List;

/**
 * The continuous pattern for the configuration-only service {@code dev.kindling.service.Main}
 * ({@code KINDLING_PATTERN=continuous}), found through {@code META-INF/services}.
 *
 * <pre>{@code
 * Component runner = new ContinuousProvider().fromSettings(Settings.fromEnvironment());
 * }</pre>
 */
public final class ContinuousProvider implements ComponentProvider {
    @Override
    public String pattern() {
        return "continuous";
    }

    @Override
    public List<Class<?>> settings() {
        return List.of(ContinuousSettings.class);
    }

    @Override
    public Component fromSettings(Settings settings) {
        return ContinuousRunner.fromSettings(settings);
    }
}
