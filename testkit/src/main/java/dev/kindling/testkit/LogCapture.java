package dev.kindling.testkit;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Collects every log line written in this JVM while it is open, as Kindling's shipped log
 * configurations write it ({@code %redacted}: messages and stack traces through the redactor), at
 * the levels the configuration logs, for tests of what a log reveals.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *   service.submit("report", params);
 *   assertThat(logs.text()).doesNotContain(password);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Uses the log4j2 that Spark brings.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Appender appender;
  private final LoggerContext context;

  private LogCapture() {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    PatternLayout layout = PatternLayout.newBuilder().withConfiguration(config)
        .withPattern("%-5p %c{1}: %redacted").build();
    appender = new Appender("kindling-log-capture-" + UUID.randomUUID(), layout, lines);
    appender.start();
    LoggerConfig root = config.getRootLogger();
    root.addAppender(appender, Level.ALL, null);
    for (LoggerConfig logger : config.getLoggers().values()) {
      if (logger != root) {
        logger.addAppender(appender, Level.ALL, null);
      }
    }
    context.updateLoggers();
  }

  /** Starts collecting. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** The lines so far (a stack trace stays in the line of its message). */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** All lines so far, joined by line breaks. */
  public String text() {
    return String.join("\n", lines);
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    for (LoggerConfig logger : config.getLoggers().values()) {
      logger.removeAppender(appender.getName());
    }
    config.getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }

  private static final class Appender extends AbstractAppender {
    private final List<String> lines;

    Appender(String name, PatternLayout layout, List<String> lines) {
      super(name, null, layout, true, Property.EMPTY_ARRAY);
      this.lines = lines;
    }

    @Override
    public void append(LogEvent event) {
      lines.add(getLayout().toSerializable(event).toString());
    }
  }
}
