package dev.kindling.service;

import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration-only service: the pattern named by {@code KINDLING_PATTERN} ({@code ondemand},
 * {@code continuous} or {@code streaming}) built from settings alone by that pattern's
 * {@link ComponentProvider}, served by a {@link KindlingService}.
 *
 * <pre>
 * KINDLING_PATTERN=streaming \
 * KINDLING_STREAMING_SOURCE=kafka://127.0.0.1:9092/words KINDLING_STREAMING_DECODE=text \
 * KINDLING_STREAMING_SQL="SELECT upper(value) AS value FROM input" \
 * KINDLING_STREAMING_SINK=kafka://127.0.0.1:9092/shout KINDLING_STREAMING_CHECKPOINT=/var/lib/shout \
 * spark-submit --class dev.kindling.service.Main kindling-service-app.jar
 * </pre>
 *
 * <p>It takes no arguments. A usage or configuration error exits with status 2 after one log line
 * that names the offending settings; every pattern reports them the same way.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            LOG.error("usage: dev.kindling.service.Main takes no arguments; it is configured by KINDLING_PATTERN "
                    + "(ondemand, continuous, streaming) and that pattern's settings; got {} argument(s)", args.length);
            System.exit(2);
            return;
        }
        Settings settings = Settings.fromEnvironment();
        KindlingService service;
        try {
            service = build(settings);
        } catch (ConfigurationException e) {
            LOG.error("configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        service.run();
    }

    /**
     * The service the settings describe, not started.
     *
     * @throws ConfigurationException when the pattern is unset or unknown, or its settings are wrong
     */
    public static KindlingService build(Settings settings) {
        String pattern = settings.require(ServiceSettings.PATTERN);
        Map<String, ComponentProvider> providers = providers();
        ComponentProvider provider = providers.get(pattern);
        if (provider == null) {
            throw new ConfigurationException("setting " + ServiceSettings.PATTERN.name() + " (environment "
                    + ServiceSettings.PATTERN.env() + ") is '" + pattern + "', but no such pattern is on the class path; found: "
                    + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet())) + ". Add the module kindling-" + pattern);
        }
        Component component = provider.fromSettings(settings);
        String name = settings.get(ServiceSettings.NAME);
        return KindlingService.builder(name == null || name.isBlank() ? pattern : name)
                .settings(settings)
                .component(component)
                .build();
    }

    /** The providers on the class path, by pattern. */
    public static Map<String, ComponentProvider> providers() {
        Map<String, ComponentProvider> out = new TreeMap<>();
        for (ComponentProvider p : ServiceLoader.load(ComponentProvider.class)) {
            out.put(p.pattern(), p);
        }
        return out;
    }
}
