package dev.kindling.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that gets the JVM's shared {@link KafkaBroker} by parameter injection;
 * the same as {@code @ExtendWith(KafkaExtension.class)}.
 *
 * <pre>{@code
 * @KindlingKafkaTest
 * class OrdersIT {
 *   @Test
 *   void counts(KafkaBroker kafka) {
 *     String topic = kafka.createUniqueTopic("orders", 1);
 *     kafka.produce(topic, "k", "v");
 *     assertThat(kafka.consume(topic, 1, Duration.ofSeconds(10))).hasSize(1);
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaExtension.class)
public @interface KindlingKafkaTest {}
