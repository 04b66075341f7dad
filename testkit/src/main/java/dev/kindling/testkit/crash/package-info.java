/**
 * Crash points for tests of what survives a crash: a JVM halted (exit 137, no shutdown hook, like a
 * {@code kill -9}) at a named moment of a Spark job, so that a restart can be checked to neither lose
 * nor repeat anything.
 *
 * <ul>
 *   <li>{@link dev.kindling.testkit.crash.HaltBeforeCommit}: after the sinks wrote micro-batch N and
 *       before the checkpoint commit of N, optionally once several queries are all there;
 *   <li>{@link dev.kindling.testkit.crash.HaltAtWrite}: as a file write into a given path begins;
 *   <li>{@link dev.kindling.testkit.crash.CrashPoints}: the Spark settings that install both and the
 *       JVM options that arm one.
 * </ul>
 *
 * <pre>{@code
 * SparkSession.Builder builder = SparkSession.builder().master("local[2]");
 * CrashPoints.sparkSettings().forEach(builder::config);      // in the child's main
 *
 * ForkedJvm.builder(ChildMain.class).spark()
 *     .jvmOptions(CrashPoints.haltBeforeCommit(2)).start();   // in the test
 * }</pre>
 *
 * <p>They need Spark ({@code spark-sql}) on the class path of the JVM they run in, as the rest of the
 * testkit does.
 */
package dev.kindling.testkit.crash;
