package dev.kindling.testkit;

import dev.kindling.testkit.internal.EmbeddedPostgresServer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a {@link PostgresDatabase}, a fresh database per test class on
 * one embedded PostgreSQL server per JVM, into constructors, lifecycle methods and test methods.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)   // or @KindlingPostgresTest
 * class ScoresIT {
 *   @BeforeAll
 *   static void schema(PostgresDatabase db) {
 *     db.execute("CREATE TABLE scores (id INT, score DOUBLE PRECISION)");
 *   }
 *
 *   @Test
 *   void empty(PostgresDatabase db) {
 *     assertThat(db.queryForObject("SELECT count(*) FROM scores", Long.class)).isZero();
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> The first parameter of type {@code PostgresDatabase} in a JVM starts the
 * server (2 to 5 s; kept in JUnit's root store, stopped at the end of the run). The first one in
 * a top-level test class creates that class's database (kept in the class's store, so every
 * method and {@code @Nested} class of it sees the same database); JUnit drops it after the
 * class's {@code @AfterAll} methods.
 *
 * <p><b>Threading.</b> Creation is guarded by JUnit's stores; test classes may run in parallel,
 * each with its own database.
 */
public final class PostgresExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);
  private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

  /** Creates the extension; JUnit calls this. */
  public PostgresExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == PostgresDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return database(extensionContext);
  }

  /**
   * The database of the test class that {@code context} belongs to, created on first use.
   *
   * @param context a class or method context
   * @return the database
   */
  public static PostgresDatabase database(ExtensionContext context) {
    ExtensionContext classContext = topLevelClassContext(context);
    EmbeddedPostgresServer server = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(ServerResource.class, key -> new ServerResource(), ServerResource.class)
        .server;
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(PostgresDatabase.class,
        key -> PostgresDatabase.create(server, databaseName(classContext)), PostgresDatabase.class);
  }

  private static ExtensionContext topLevelClassContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getParent().isPresent() && current.getParent().get().getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  private static String databaseName(ExtensionContext classContext) {
    String className = classContext.getTestClass().map(Class::getSimpleName).orElse("test")
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String name = "kindling_" + DATABASE_COUNTER.incrementAndGet() + "_" + className;
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  /** The JVM's server in the root store; JUnit closes it at the end of the run. */
  @SuppressWarnings("deprecation")
  private static final class ServerResource implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    private final EmbeddedPostgresServer server = EmbeddedPostgresServer.start();

    @Override
    public void close() {
      server.close();
    }
  }
}
