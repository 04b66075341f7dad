package dev.kindling.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects the JVM's shared {@link KafkaBroker} into constructors,
 * lifecycle methods ({@code @BeforeAll}, {@code @BeforeEach}, ...) and test methods.
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)   // or @KindlingKafkaTest
 * class WordsIT {
 *   static String topic;
 *
 *   @BeforeAll
 *   static void topic(KafkaBroker kafka) {
 *     topic = kafka.createUniqueTopic("words", 1);
 *   }
 *
 *   @Test
 *   void reads(KafkaBroker kafka) {
 *     kafka.produce(topic, "k", "v");
 *     assertThat(kafka.latestOffsets(topic)).containsExactly(entry(0, 1L));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> The first parameter of type {@code KafkaBroker} starts the broker (5 to
 * 10 s) and keeps it in JUnit's root store; every later test class of the JVM gets the same
 * broker. JUnit closes it at the end of the run, which stops the broker's JVM and deletes its
 * folder. Topics are not cleaned between test classes: use unique names.
 *
 * <p><b>Threading.</b> Starting is guarded by JUnit's store, so test classes run in parallel
 * share one broker; the broker itself is thread-safe.
 */
public final class KafkaExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  /** Creates the extension; JUnit calls this. */
  public KafkaExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return broker(extensionContext);
  }

  /**
   * The JVM's shared broker, started on first use; for other extensions and for code that has
   * an {@code ExtensionContext}.
   *
   * @param context any extension context of the run
   * @return the broker
   */
  public static KafkaBroker broker(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(KafkaBroker.class, key -> KafkaBroker.start(), KafkaBroker.class);
  }
}
