package dev.kindling.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that gets its own {@link PostgresDatabase} by parameter injection; the same
 * as {@code @ExtendWith(PostgresExtension.class)}.
 *
 * <pre>{@code
 * @KindlingPostgresTest
 * class UsersIT {
 *   @Test
 *   void empty(PostgresDatabase db) {
 *     db.execute("CREATE TABLE users (id INT)");
 *     assertThat(db.queryForList("SELECT * FROM users")).isEmpty();
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PostgresExtension.class)
public @interface KindlingPostgresTest {}
