package dev.kindling.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Marks a test class that gets the JVM's shared {@link org.apache.spark.sql.SparkSession} by
 * parameter injection; the same as {@code @ExtendWith(SparkExtension.class)} plus the resource
 * lock {@value SparkExtension#RESOURCE_LOCK}, so that, with JUnit's parallel execution on,
 * classes using the shared session run one at a time.
 *
 * <pre>{@code
 * @KindlingSparkTest
 * class WordCountIT {
 *   @Test
 *   void counts(SparkSession spark) {
 *     assertThat(spark.sql("SELECT 1 AS one").first().getInt(0)).isEqualTo(1);
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SparkExtension.class)
@ResourceLock(SparkExtension.RESOURCE_LOCK)
public @interface KindlingSparkTest {}
