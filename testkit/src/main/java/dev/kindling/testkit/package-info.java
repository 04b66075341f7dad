/**
 * JUnit 5 extensions for testing Spark pipelines against real components: a shared {@link
 * org.apache.spark.sql.SparkSession} ({@link dev.kindling.testkit.KindlingSparkTest}), an
 * embedded PostgreSQL server with a fresh database per test class ({@link
 * dev.kindling.testkit.KindlingPostgresTest}) and an embedded Kafka broker in its own JVM ({@link
 * dev.kindling.testkit.KindlingKafkaTest}).
 *
 * <pre>{@code
 * @KindlingSparkTest
 * @KindlingKafkaTest
 * @KindlingPostgresTest
 * class PipelineIT {
 *   @Test
 *   void copiesKafkaToPostgres(SparkSession spark, KafkaBroker kafka, PostgresDatabase db) {
 *     String topic = kafka.createUniqueTopic("events", 1);
 *     kafka.produce(topic, "k", "v");
 *     spark.read().format("kafka")
 *         .option("kafka.bootstrap.servers", kafka.bootstrapServers())
 *         .option("subscribe", topic).load()
 *         .selectExpr("CAST(key AS STRING) AS k", "CAST(value AS STRING) AS v")
 *         .write().jdbc(db.jdbcUrl(), "events", db.jdbcProperties());
 *     assertThat(db.queryForList("SELECT k, v FROM events"))
 *         .containsExactly(Map.of("k", "k", "v", "v"));
 *   }
 * }
 * }</pre>
 *
 * <p>Each resource is created lazily, when a test first asks for it by parameter type, once per
 * test JVM, and closed when JUnit finishes the run. The module needs Spark ({@code spark-sql},
 * and {@code spark-sql-kafka-0-10} for Kafka) on the test classpath; it brings the embedded
 * PostgreSQL server and JDBC driver itself. The Kafka broker's own jars are resolved with Maven
 * at run time and never join the test's classpath. Classes in {@code dev.kindling.testkit.internal}
 * are not part of the API. Crash points that halt a forked JVM at a named moment of a Spark job are in
 * {@code dev.kindling.testkit.crash}.
 */
package dev.kindling.testkit;
