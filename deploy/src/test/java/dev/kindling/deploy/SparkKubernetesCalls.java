package dev.kindling.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What Spark's Kubernetes backend asks the API server for, read from its class files (the
 * {@code spark-kubernetes} jar Spark runs with): for each class, the resources it reaches through the
 * fabric8 client ({@code client.pods()}, {@code client.configMaps()}, ...) and the operations it calls
 * on them ({@code create}, {@code delete}, {@code watch}, ...), as RBAC verbs. An operation is charged
 * to the resource reached last in the same method, or, in a method that reaches none (a Scala lambda),
 * to every resource the class reaches: an over-estimate, never an under-estimate.
 *
 * <pre>{@code
 * Map<String, Set<String>> verbs = SparkKubernetesCalls.driverVerbs();   // {pods=[create, delete, ...], ...}
 * }</pre>
 */
final class SparkKubernetesCalls {
    private static final String CLIENT = "io/fabric8/kubernetes/client/KubernetesClient";
    private static final String DSL = "io/fabric8/kubernetes/client/dsl/";

    /** The client's accessors, as the resource (plural, core API group) they reach; others are {@code group/resource}. */
    static final Map<String, String> RESOURCES = Map.of("pods", "pods", "configMaps", "configmaps", "services", "services",
            "persistentVolumeClaims", "persistentvolumeclaims", "apps", "apps/*", "top", "metrics.k8s.io/*",
            "resourceList", "*/*");

    /** The DSL operations that reach the API server, as the RBAC verbs they need. */
    static final Map<String, List<String>> VERBS = Map.ofEntries(
            Map.entry("create", List.of("create")),
            Map.entry("createOrReplace", List.of("create", "update")),
            Map.entry("replace", List.of("update")),
            Map.entry("update", List.of("update")),
            Map.entry("serverSideApply", List.of("patch")),
            Map.entry("patch", List.of("patch")),
            Map.entry("edit", List.of("get", "patch")),
            Map.entry("get", List.of("get")),
            Map.entry("list", List.of("list")),
            Map.entry("resources", List.of("list")),
            Map.entry("watch", List.of("watch")),
            Map.entry("waitUntilReady", List.of("get", "list", "watch")),
            Map.entry("waitUntilCondition", List.of("get", "list", "watch")),
            // a delete by name (delete) or by label selector (deletecollection): the bytecode cannot tell them apart
            Map.entry("delete", List.of("delete", "deletecollection")));

    /**
     * Classes that never run in a Kindling driver, and why. The driver runs in client mode with Spark's
     * default pod allocator and no Kubernetes plugins ({@link DriverManifestTest} checks the manifests ask for
     * none of these).
     */
    static final Map<String, String> NOT_IN_THE_DRIVER = Map.of(
            "org/apache/spark/deploy/k8s/submit/", "spark-submit's cluster-mode client: runs as the submitter (or the operator)",
            "org/apache/spark/scheduler/cluster/k8s/StatefulSetPodsAllocator", "spark.kubernetes.allocation.pods.allocator=statefulset only",
            "org/apache/spark/scheduler/cluster/k8s/DeploymentPodsAllocator", "spark.kubernetes.allocation.pods.allocator=deployment only",
            "org/apache/spark/scheduler/cluster/k8s/ExecutorResizeDriverPlugin", "a plugin named in spark.plugins only",
            "org/apache/spark/scheduler/cluster/k8s/ExecutorPVCResizeDriverPlugin", "a plugin named in spark.plugins only");

    private SparkKubernetesCalls() {
    }

    /** Resource → the verbs the driver's classes need on it. */
    static Map<String, Set<String>> driverVerbs() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, Map<String, Set<String>>> c : byClass().entrySet()) {
            if (NOT_IN_THE_DRIVER.keySet().stream().noneMatch(c.getKey()::startsWith)) {
                c.getValue().forEach((r, v) -> out.computeIfAbsent(r, k -> new TreeSet<>()).addAll(v));
            }
        }
        return out;
    }

    /** Class name → resource → verbs, for every class of the jar that calls the client. */
    static Map<String, Map<String, Set<String>>> byClass() {
        Map<String, Map<String, Set<String>>> out = new TreeMap<>();
        try (JarFile jar = jar()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        Scan scan = new Scan();
                        new ClassReader(in).accept(scan, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                        Map<String, Set<String>> calls = scan.result();
                        if (!calls.isEmpty()) {
                            out.put(e.getName().replace(".class", ""), calls);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static JarFile jar() throws IOException {
        URL url = SparkKubernetesCalls.class.getClassLoader()
                .getResource("org/apache/spark/scheduler/cluster/k8s/ExecutorPodsAllocator.class");
        if (url == null || !"jar".equals(url.getProtocol())) {
            throw new IllegalStateException("spark-kubernetes is not on the test class path as a jar: " + url);
        }
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        return connection.getJarFile();
    }

    /** The calls of one class. */
    private static final class Scan extends ClassVisitor {
        private final Set<String> classResources = new HashSet<>();
        private final Map<String, Set<String>> charged = new TreeMap<>();
        private final List<String> unattributed = new ArrayList<>();

        Scan() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9) {
                private String last;

                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                    if (CLIENT.equals(owner) && RESOURCES.containsKey(method)) {
                        last = RESOURCES.get(method);
                        classResources.add(last);
                    } else if (owner.startsWith(DSL) && VERBS.containsKey(method)) {
                        if (last != null) {
                            charged.computeIfAbsent(last, k -> new TreeSet<>()).addAll(VERBS.get(method));
                        } else {
                            unattributed.add(method);
                        }
                    }
                }
            };
        }

        Map<String, Set<String>> result() {
            for (String method : unattributed) {
                for (String r : classResources) {
                    charged.computeIfAbsent(r, k -> new TreeSet<>()).addAll(VERBS.get(method));
                }
            }
            return charged;
        }
    }
}
