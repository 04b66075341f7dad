package dev.kindling.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files a {@code kustomization.yaml} applies, followed through the folders it names. Only the
 * fields these manifests use are allowed ({@code apiVersion}, {@code kind}, {@code resources}), so a
 * misspelt field fails here as it would in {@code kubectl apply -k}.
 *
 * <pre>{@code
 * List<Path> files = Kustomizations.files(Path.of("examples/etl/k8s"));   // common/serviceaccount.yaml, ..., pdb.yaml
 * }</pre>
 */
final class Kustomizations {
    static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources");

    private Kustomizations() {
    }

    /** The resource files of the kustomization in {@code dir}, in order, folders expanded. */
    static List<Path> files(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(dir + " has no kustomization.yaml");
        }
        Map<String, Object> k = Manifests.yaml(file);
        if (!FIELDS.containsAll(k.keySet())) {
            throw new AssertionError(file + ": unknown fields " + k.keySet() + " (allowed: " + FIELDS + ")");
        }
        if (!"kustomize.config.k8s.io/v1beta1".equals(k.get("apiVersion")) || !"Kustomization".equals(k.get("kind"))) {
            throw new AssertionError(file + ": apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization expected");
        }
        List<Path> out = new ArrayList<>();
        if (!(k.get("resources") instanceof List<?> resources)) {
            throw new AssertionError(file + ": resources must be a list");
        }
        for (Object r : resources) {
            Path p = dir.resolve(String.valueOf(r)).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(files(p));
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new AssertionError(file + ": resource " + r + " does not exist");
            }
        }
        return out;
    }
}
