package dev.kindling.site.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Renders the landing page, the first tutorial and the configuration reference in headless Chromium
 * at 1280 px, saves a PNG of each under {@code site/target/screenshots/}, and fails on a console
 * error, an image that did not load, or content wider than the window (horizontal scroll).
 * Chromium is required: {@code apt-get install -y chromium} (Debian), or {@code CHROMIUM=/path/to/chrome}.
 */
class BrowserIT {
    private static final Path SITE = Path.of(System.getProperty("kindling.site", "target/site")).toAbsolutePath().normalize();
    private static final Path SHOTS = Path.of(System.getProperty("kindling.site.screenshots", "target/screenshots")).toAbsolutePath();
    private static final int WIDTH = 1280;

    @Test
    void theLandingPageATutorialAndTheConfigurationReferenceRenderCleanlyAt1280Pixels() throws Exception {
        Path chromium = Chromium.executable().orElseGet(() -> fail("Chromium is not installed, and the site's browser check needs it: "
                + "install the Debian package (apt-get install -y chromium) or set CHROMIUM to a Chrome or Chromium executable"));
        List<Path> pages = List.of(SITE.resolve("index.html"), firstTutorial(), SITE.resolve("configuration.html"));
        List<String> problems = new ArrayList<>();
        try (Chromium chrome = Chromium.start(chromium, SHOTS.getParent().resolve("chromium-profile"))) {
            for (Path page : pages) {
                assertThat(page).isRegularFile();
                String name = SITE.relativize(page).toString().replace('/', '-').replace(".html", "");
                Chromium.Visit v = chrome.visit(page, WIDTH, 900, SHOTS.resolve(name + ".png"));
                v.errors().forEach(e -> problems.add(name + ": " + e));
                v.measures().path("brokenImages").forEach(i -> problems.add(name + ": image did not load: " + i.asText()));
                int scroll = v.measures().path("scrollWidth").asInt();
                int client = v.measures().path("clientWidth").asInt();
                if (client == 0 || scroll > client) {
                    problems.add(name + ": content " + scroll + " px wide in a " + client + " px window (horizontal scroll)");
                }
                if (v.measures().path("title").asText().isBlank()) {
                    problems.add(name + ": no title");
                }
                assertThat(SHOTS.resolve(name + ".png")).isNotEmptyFile();
            }
        }
        assertThat(problems).as("what the browser found").isEmpty();
    }

    private static Path firstTutorial() {
        Path dir = SITE.resolve("tutorials");
        if (!Files.isDirectory(dir)) {
            return fail("no tutorial in the built site (" + dir + "): the browser check renders one");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".html")).sorted().findFirst()
                    .orElseGet(() -> fail("no tutorial in the built site (" + dir + "): the browser check renders one"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
