package dev.kindling.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a log file, for error messages. */
public final class LogTail {

  private static final int LINES = 40;

  private LogTail() {}

  /**
   * Returns the last lines of a file, framed by a header that names it.
   *
   * @param log the file
   * @return the tail, or a note that the file cannot be read
   */
  public static String of(Path log) {
    try {
      if (!Files.exists(log)) {
        return "(no log at " + log + ")";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
      return "--- last " + tail.size() + " lines of " + log + " ---\n" + String.join("\n", tail);
    } catch (IOException | RuntimeException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
