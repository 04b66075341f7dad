package dev.kindling.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Database;
import org.apache.spark.sql.catalog.Table;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects one {@link SparkSession}, shared by every test class of the
 * JVM, into constructors, lifecycle methods ({@code @BeforeAll}, {@code @BeforeEach}, ...) and
 * test methods, and cleans it between test classes.
 *
 * <pre>{@code
 * @ExtendWith(SparkExtension.class)   // or @KindlingSparkTest
 * class EvensIT {
 *   @Test
 *   void counts(SparkSession spark) {
 *     assertThat(spark.range(10).filter("id % 2 = 0").count()).isEqualTo(5L);
 *   }
 * }
 * }</pre>
 *
 * <p><b>The session.</b> {@code master=local[2]}, {@code spark.ui.enabled=false}, {@code
 * spark.sql.shuffle.partitions=2}, {@code spark.sql.session.timeZone=UTC}, driver bound to
 * {@code 127.0.0.1}, and {@code spark.sql.warehouse.dir} in a new temporary folder. It is
 * created with {@code SparkSession.builder().getOrCreate()}, so a session that already exists
 * in the JVM is reused (and these settings are applied to it where Spark allows).
 *
 * <p><b>Lifecycle.</b> The first parameter of type {@code SparkSession} creates the session
 * (about 4 s cold) and keeps it in JUnit's root store; JUnit stops it, and deletes the warehouse
 * folder, when it closes the root context at the end of the run. After each top-level test class
 * that used this extension ({@code @AfterAll} of that class, once the session exists), the
 * session is cleaned: active streaming queries are stopped, temporary and global temporary views
 * dropped, tables and non-default databases of the session catalog dropped, the current
 * database reset to {@code default} and the cache cleared. Runtime settings that a test changed
 * with {@code spark.conf().set(...)} are not reset.
 *
 * <p><b>Threading.</b> The session is thread-safe, but the cleaning between classes assumes
 * classes that use it run one after another: {@link KindlingSparkTest} takes the JUnit resource
 * lock {@value #RESOURCE_LOCK}, which keeps such classes apart when parallel execution is on.
 */
public final class SparkExtension implements ParameterResolver, AfterAllCallback {

  /** The name of the JUnit resource lock that {@link KindlingSparkTest} takes. */
  public static final String RESOURCE_LOCK = "dev.kindling.testkit.spark";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SparkExtension.class);

  /** Creates the extension; JUnit calls this. */
  public SparkExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return session(extensionContext);
  }

  /**
   * Cleans the shared session after a top-level test class, if the session was created.
   *
   * @param context the class's context
   */
  @Override
  public void afterAll(ExtensionContext context) {
    boolean nested = context.getParent().flatMap(ExtensionContext::getParent).isPresent();
    SharedSession shared = context.getRoot().getStore(NAMESPACE).get(SharedSession.class, SharedSession.class);
    if (!nested && shared != null) {
      clean(shared.session);
    }
  }

  /**
   * The JVM's shared session, created on first use; for other extensions and code that has an
   * {@code ExtensionContext}.
   *
   * @param context any extension context of the run
   * @return the session
   */
  public static SparkSession session(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedSession.class, key -> new SharedSession(), SharedSession.class)
        .session;
  }

  /**
   * Brings a session back to a clean state: stops active streaming queries, drops temporary and
   * global temporary views, drops the tables and non-default databases of the session catalog,
   * makes {@code default} the current database and clears the cache.
   *
   * @param spark the session
   */
  public static void clean(SparkSession spark) {
    for (StreamingQuery query : spark.streams().active()) {
      try {
        query.stop();
      } catch (TimeoutException e) {
        throw new IllegalStateException("Streaming query " + query.name() + " (" + query.id()
            + ") did not stop: " + e.getMessage(), e);
      }
    }
    spark.streams().resetTerminated();
    spark.catalog().setCurrentDatabase("default");
    for (Table table : spark.catalog().listTables().collectAsList()) {
      if (table.isTemporary()) {
        spark.catalog().dropTempView(table.name());
      }
    }
    String globalTemp = spark.conf().get("spark.sql.globalTempDatabase", "global_temp");
    for (Table table : tablesIn(spark, globalTemp)) {
      if (table.isTemporary()) {
        spark.catalog().dropGlobalTempView(table.name());
      }
    }
    for (Database database : spark.catalog().listDatabases().collectAsList()) {
      if ("default".equals(database.name())) {
        for (Table table : tablesIn(spark, "default")) {
          if (!table.isTemporary()) {
            String kind = "VIEW".equalsIgnoreCase(table.tableType()) ? "VIEW" : "TABLE";
            spark.sql("DROP " + kind + " IF EXISTS `default`.`" + table.name().replace("`", "``") + "`");
          }
        }
      } else if (!globalTemp.equals(database.name())) {
        spark.sql("DROP DATABASE IF EXISTS `" + database.name().replace("`", "``") + "` CASCADE");
      }
    }
    spark.catalog().clearCache();
  }

  private static List<Table> tablesIn(SparkSession spark, String database) {
    try {
      return spark.catalog().listTables(database).collectAsList();
    } catch (AnalysisException e) {
      throw new IllegalStateException("Cannot list the tables of database " + database + ": "
          + e.getMessage(), e);
    }
  }

  /** The session and its warehouse folder, in the root store; JUnit closes it at the end. */
  @SuppressWarnings("deprecation")
  private static final class SharedSession implements AutoCloseable, ExtensionContext.Store.CloseableResource {
    private final Path warehouse;
    private final SparkSession session;
    private final boolean created;

    SharedSession() {
      // A session that was there before (another JUnit engine in this JVM made it, or the code under
      // test) is shared, not owned: closing this store must not stop it under its owner.
      created = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
      try {
        warehouse = Files.createTempDirectory("kindling-spark-warehouse-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a warehouse folder for Spark", e);
      }
      session = SparkSession.builder()
          .master("local[2]")
          .appName("kindling-testkit")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.sql.session.timeZone", "UTC")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
          .getOrCreate();
    }

    @Override
    public void close() {
      try {
        if (created) {
          session.stop();
        }
      } finally {
        deleteRecursively(warehouse);
      }
    }

    private static void deleteRecursively(Path directory) {
      if (!Files.exists(directory)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(directory)) {
        List<Path> all = paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        for (Path path : all) {
          Files.deleteIfExists(path);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot delete the Spark warehouse " + directory, e);
      }
    }
  }
}
