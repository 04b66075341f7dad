package dev.kindling.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's shared {@link SparkStandaloneCluster} (a master and two
 * workers) into constructors, lifecycle methods and test methods.
 *
 * <pre>{@code
 * @ExtendWith(SparkClusterExtension.class)   // or @KindlingSparkClusterTest
 * class EvensOnAClusterIT {
 *   @Test
 *   void submits(SparkStandaloneCluster cluster) {
 *     assertThat(cluster.aliveWorkers()).isEqualTo(2);
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> The first parameter of type {@code SparkStandaloneCluster} starts the
 * cluster (10 to 20 s) and keeps it in JUnit's root store; later test classes of the JVM share it.
 * JUnit closes it at the end of the run.
 */
public final class SparkClusterExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SparkClusterExtension.class);

  /** Creates the extension; JUnit calls this. */
  public SparkClusterExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == SparkStandaloneCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return cluster(extensionContext);
  }

  /** The JVM's shared cluster, started on first use. */
  public static SparkStandaloneCluster cluster(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SparkStandaloneCluster.class, k -> SparkStandaloneCluster.start(), SparkStandaloneCluster.class);
  }
}
