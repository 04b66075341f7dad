package dev.kindling.service;

import dev.kindling.config.Settings;
import java.util.List;

/**
 * Builds a pattern's component from settings alone, for the configuration-only service
 * {@link Main}. Each pattern module provides one, listed in
 * {@code META-INF/services/dev.kindling.service.ComponentProvider}.
 *
 * <pre>{@code
 * public final class StreamingProvider implements ComponentProvider {
 *     public String pattern() { return "streaming"; }
 *     public List<Class<?>> settings() { return List.of(StreamingSettings.class); }
 *     public Component fromSettings(Settings settings) { return StreamingRunner.fromSettings(settings); }
 * }
 * }</pre>
 */
public interface ComponentProvider {
    /** The pattern's name, the value of {@code KINDLING_PATTERN} that selects this provider. */
    String pattern();

    /** The classes that declare the pattern's settings, for the usage message and the reference. */
    List<Class<?>> settings();

    /**
     * The component the settings describe.
     *
     * @throws dev.kindling.ipp.ConfigurationException naming every setting that is missing or wrong
     */
    Component fromSettings(Settings settings);
}
