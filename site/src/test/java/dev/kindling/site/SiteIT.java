package dev.kindling.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kindling.site.config.ConfigurationReference;
import dev.kindling.site.config.SettingEntry;
import dev.kindling.site.config.SettingHolder;
import dev.kindling.site.config.SettingScanner;
import dev.kindling.site.http.ApiReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * Checks the built site (site/target/site): every internal link and anchor resolves, every page has
 * a title, every setting the code declares is in the configuration reference, and every route the
 * captured services registered is in the HTTP API reference.
 */
class SiteIT {
    private static final Path SITE = Path.of(System.getProperty("kindling.site", "target/site")).toAbsolutePath().normalize();
    private static final Path ROOT = Path.of(System.getProperty("kindling.root", "..")).toAbsolutePath().normalize();
    private static final Pattern SETTING_DECLARATION = Pattern.compile(
            "public\\s+static\\s+final\\s+Setting<[^=;]*>\\s+\\w+\\s*=\\s*Setting\\.\\w+\\(\\s*\"([^\"]+)\"");

    private final Map<Path, Document> parsed = new HashMap<>();

    @Test
    void everyPageHasATitleAndEveryInternalLinkAndAnchorResolves() {
        List<Path> pages = sitePages();
        assertThat(pages).extracting(p -> SITE.relativize(p).toString().replace('\\', '/'))
                .contains("index.html", "ondemand.html", "continuous.html", "streaming.html", "tutorials.html", "configuration.html",
                        "api.html", "benchmarks.html");
        List<String> problems = new ArrayList<>();
        for (Path page : pages) {
            Document doc = parse(page);
            String name = SITE.relativize(page).toString();
            if (doc.title().isBlank() || doc.selectFirst("h1") == null || doc.selectFirst("h1").text().isBlank()) {
                problems.add(name + ": no title or no h1");
            }
            for (Element e : doc.select("a[href], img[src], link[href], script[src], object[data]")) {
                String ref = e.hasAttr("href") ? e.attr("href") : e.hasAttr("src") ? e.attr("src") : e.attr("data");
                String problem = check(page, ref);
                if (problem != null) {
                    problems.add(name + ": " + ref + ": " + problem);
                }
            }
        }
        assertThat(problems).as("broken links, anchors and titles").isEmpty();
    }

    @Test
    void everySettingOfTheCodeIsInTheConfigurationReference() {
        Document reference = parse(SITE.resolve("configuration.html"));
        List<SettingHolder> holders = new SettingScanner(new SourceTree(ROOT)).scan(SettingScanner.classPath());
        assertThat(holders).extracting(h -> h.type().getSimpleName())
                .contains("ServiceSettings", "SparkSettings", "OnDemandSettings", "ContinuousSettings", "StreamingSettings");
        Map<SettingEntry, String> anchors = ConfigurationReference.anchors(holders);
        List<String> missing = new ArrayList<>();
        for (SettingHolder h : holders) {
            for (SettingEntry e : h.settings()) {
                Element row = reference.getElementById(anchors.get(e));
                if (row == null || !row.closest("tr").text().contains(e.name()) || !row.closest("tr").text().contains(e.setting().env())) {
                    missing.add(h.type().getSimpleName() + "." + e.field() + " (" + e.name() + ")");
                }
            }
        }
        Set<String> declaredInSources = settingNamesInSources();
        assertThat(declaredInSources).as("settings declared in the sources").hasSizeGreaterThan(50);
        for (String name : declaredInSources) {
            if (reference.getElementById(ConfigurationReference.anchorOf(name)) == null) {
                missing.add(name + " (declared in the sources)");
            }
        }
        assertThat(missing).as("settings missing from the configuration reference").isEmpty();
    }

    @Test
    void everyRouteOfTheCapturedServicesIsInTheApiReference() throws IOException {
        Document api = parse(SITE.resolve("api.html"));
        List<Path> documents;
        try (Stream<Path> s = Files.list(SITE.resolve("openapi"))) {
            documents = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(documents).extracting(p -> p.getFileName().toString()).contains("sparkpi.json", "orders-etl.json", "wordcount.json");
        List<String> missing = new ArrayList<>();
        int routes = 0;
        for (Path d : documents) {
            String service = d.getFileName().toString().replace(".json", "");
            for (ApiReference.Route r : ApiReference.routes(ApiReference.readJson(Files.readString(d)))) {
                routes++;
                Element row = api.getElementById(ApiReference.anchor(service, r));
                if (row == null || !row.closest("tr").text().contains(r.path())) {
                    missing.add(service + ": " + r.method() + " " + r.path());
                }
            }
            assertThat(api.select("[id^=exchange-" + service + "-]")).as(service + " exchanges").isNotEmpty();
        }
        assertThat(routes).isGreaterThan(15);
        assertThat(missing).as("routes missing from the API reference").isEmpty();
        assertThat(api.getElementById("api-ondemand")).isNotNull();
        assertThat(api.getElementById("api-continuous")).isNotNull();
        assertThat(api.getElementById("api-streaming")).isNotNull();
    }

    private String check(Path page, String ref) {
        if (ref.isEmpty()) {
            return "empty reference";
        }
        if (ref.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return null; // http:, https:, mailto:, data: – not this site's
        }
        String path = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
        String fragment = ref.contains("#") ? ref.substring(ref.indexOf('#') + 1) : null;
        if (path.contains("?")) {
            path = path.substring(0, path.indexOf('?'));
        }
        Path target = path.isEmpty() ? page : page.getParent().resolve(URI.create("x/" + path).getPath().substring(2)).normalize();
        if (!target.startsWith(SITE)) {
            return "outside the site";
        }
        if (Files.isDirectory(target)) {
            target = target.resolve("index.html");
        }
        if (!Files.isRegularFile(target)) {
            return "no such file";
        }
        if (fragment != null && !fragment.isEmpty() && target.toString().endsWith(".html")) {
            Document doc = parse(target);
            if (doc.getElementById(fragment) == null && doc.select("a[name=" + fragment.replace("\"", "") + "]").isEmpty()) {
                return "no anchor #" + fragment + " in " + SITE.relativize(target);
            }
        }
        return null;
    }

    private Document parse(Path page) {
        return parsed.computeIfAbsent(page, p -> {
            try {
                return Jsoup.parse(p.toFile(), "UTF-8");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The site's own pages: every HTML file but the javadoc's. */
    private static List<Path> sitePages() {
        try (Stream<Path> s = Files.walk(SITE)) {
            return s.filter(p -> p.toString().endsWith(".html")).filter(p -> !SITE.relativize(p).startsWith("apidocs")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the {@code public static final Setting} constants in every module's main sources. */
    private static Set<String> settingNamesInSources() {
        Set<String> names = new TreeSet<>();
        for (SourceTree.Module m : new SourceTree(ROOT).modules()) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(m.folder()).resolve("src/main/java"))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher matcher = SETTING_DECLARATION.matcher(Files.readString(f));
                    while (matcher.find()) {
                        names.add(matcher.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }
}
