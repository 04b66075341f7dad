package dev.kindling.testkit.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of a child JVM that must not outlive the JVM that started it.
 *
 * <p>{@code java -cp CP dev.kindling.testkit.internal.ParentWatchdog PARENT_PID MAIN_CLASS ARGS...}
 * watches process {@code PARENT_PID} and calls {@link System#exit(int)} as soon as it ends (even
 * when it was killed with {@code SIGKILL}, when no shutdown hook could run), then runs {@code
 * MAIN_CLASS.main(ARGS)} in the calling thread.
 *
 * <p>This class uses only the JDK: it is put on the classpath of child processes (the Kafka
 * broker) whose other classes must stay apart from the test JVM's.
 */
public final class ParentWatchdog {

  private ParentWatchdog() {}

  /**
   * Watches the parent and runs the real main class.
   *
   * @param args the parent's pid, the main class, then that class's arguments
   * @throws Throwable whatever the real main method throws
   */
  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ParentWatchdog PARENT_PID MAIN_CLASS [ARGS...]");
    }
    long parentPid = Long.parseLong(args[0]);
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    if (parent.isEmpty() || !parent.get().isAlive()) {
      System.err.println("ParentWatchdog: parent process " + parentPid + " is gone, exiting");
      System.exit(3);
    }
    parent.get().onExit().thenRun(() -> {
      System.err.println("ParentWatchdog: parent process " + parentPid + " ended, exiting");
      System.exit(3);
    });
    Method main = Class.forName(args[1]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
