package dev.kindling.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that gets the JVM's shared {@link SparkStandaloneCluster} by parameter
 * injection; the same as {@code @ExtendWith(SparkClusterExtension.class)}.
 *
 * <pre>{@code
 * @KindlingSparkClusterTest
 * class OnTheClusterIT {
 *   @Test
 *   void hasTwoWorkers(SparkStandaloneCluster cluster) {
 *     assertThat(cluster.aliveWorkers()).isEqualTo(2);
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SparkClusterExtension.class)
public @interface KindlingSparkClusterTest {}
